import { Injectable, Module } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { AmqpService } from '@conveyor/messaging';
import { RedisService } from './redis.module';

/** Health of the backing services both apps share; each app adds its own (Postgres for the gateway). */
@Injectable()
export class ServiceHealth {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly redisClient: RedisService,
    private readonly amqp: AmqpService,
  ) {}

  redis() {
    return this.indicators
      .check('redis')
      .attempt(async () => {
        await this.redisClient.ping();
      })
      .withTimeout(1000);
  }

  rabbitmq() {
    return this.indicators.check('rabbitmq').attempt(() => {
      if (!this.amqp.isConnected()) throw new Error('not connected');
    });
  }
}

@Module({ imports: [TerminusModule], providers: [ServiceHealth], exports: [TerminusModule, ServiceHealth] })
export class HealthModule {}
