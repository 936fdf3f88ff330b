import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Consume, Delivery, EXCHANGES } from '@conveyor/messaging';
import { TaskRunner } from '@conveyor/tasks/worker';

/** Transport adapter: this worker's own queue on `conveyor.control` (cancel broadcasts). */
@Controller()
export class ControlConsumer {
  constructor(private readonly runner: TaskRunner) {}

  @Consume(EXCHANGES.control, { prefetch: 100, broadcast: true })
  control(@Payload() d: Delivery): Promise<void> {
    return this.runner.control(d);
  }
}
