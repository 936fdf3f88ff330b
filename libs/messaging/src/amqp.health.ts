import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AmqpService } from './amqp.service';

/** `/health`'s view of the broker: up while this process holds its AMQP connection. */
@Injectable()
export class AmqpHealth {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly amqp: AmqpService,
  ) {}

  check() {
    return this.indicators.check('rabbitmq').attempt(() => {
      if (!this.amqp.isConnected()) throw new Error('not connected');
    });
  }
}
