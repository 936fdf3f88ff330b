import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AmqpHealth } from './amqp.health';
import { AmqpService } from './amqp.service';

@Global()
@Module({
  imports: [TerminusModule],
  providers: [AmqpService, AmqpHealth],
  exports: [AmqpService, AmqpHealth],
})
export class MessagingModule {}
