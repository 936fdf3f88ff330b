import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AmqpHealth } from './amqp.health';
import { AmqpService, TOPOLOGY_ROLE } from './amqp.service';
import type { TopologyRole } from './topology';

@Global()
@Module({})
export class MessagingModule {
  /** The gateway declares the topology; a worker checks it (see TopologyRole). */
  static forRoot(role: TopologyRole): DynamicModule {
    return {
      module: MessagingModule,
      imports: [TerminusModule],
      providers: [{ provide: TOPOLOGY_ROLE, useValue: role }, AmqpService, AmqpHealth],
      exports: [AmqpService, AmqpHealth],
    };
  }
}
