import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AmqpService, EXCHANGES } from '@conveyor/messaging';
import { TaskRunner } from '@conveyor/tasks/worker';

/** Transport adapter: this worker's own queue on `conveyor.control` (cancel broadcasts). */
@Injectable()
export class ControlConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly amqp: AmqpService,
    private readonly runner: TaskRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.amqp.consumeBroadcast(EXCHANGES.control, 100, (d) => this.runner.control(d));
  }
}
