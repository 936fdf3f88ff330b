import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AmqpService } from './amqp.service';

/** `/health`'s view of the broker: up while this process holds its AMQP connection, and to which node. */
@Injectable()
export class AmqpHealth {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly amqp: AmqpService,
  ) {}

  check() {
    const rabbitmq = this.indicators.check('rabbitmq');
    const node = this.amqp.connectedNode();
    return node ? rabbitmq.up({ node }) : rabbitmq.down({ message: 'not connected' });
  }
}
