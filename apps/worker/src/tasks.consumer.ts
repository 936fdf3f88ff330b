import { BeforeApplicationShutdown, Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Semaphore } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { AmqpService, Consume, Delivery, workQueue } from '@conveyor/messaging';
import { TaskRunner } from '@conveyor/tasks/worker';

const NORMAL_CPU = workQueue('normal', 'cpu');
const HIGH_CPU = workQueue('high', 'cpu');
const NORMAL_IO = workQueue('normal', 'io');
const HIGH_IO = workQueue('high', 'io');

/** Handlers each lane runs at once: the high lane has capacity of its own. */
function concurrency(config: AppConfig): Record<string, number> {
  const { cpuThreads, ioConcurrency, highIoConcurrency } = config.worker;
  return {
    [NORMAL_CPU]: cpuThreads,
    [HIGH_CPU]: 1,
    [NORMAL_IO]: ioConcurrency,
    [HIGH_IO]: highIoConcurrency,
  };
}

/**
 * Transport adapter: one channel per work queue, and per lane a bound on the handlers running at
 * once, so a CPU backlog never holds IO work back. An IO lane takes twice its concurrency from the
 * broker: a message whose handler has returned keeps its place until its reports are confirmed,
 * and meanwhile the next one can run. A CPU lane takes only as many as it has threads, so long
 * CPU work waits in the queue where any worker can take it.
 */
@Controller()
export class TasksConsumer implements BeforeApplicationShutdown {
  private readonly slots: Record<string, Semaphore>;

  constructor(
    private readonly amqp: AmqpService,
    private readonly runner: TaskRunner,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.slots = Object.fromEntries(
      Object.entries(concurrency(config)).map(([queue, n]) => [queue, new Semaphore(n)]),
    );
  }

  @Consume(NORMAL_CPU, { prefetch: (c: AppConfig) => concurrency(c)[NORMAL_CPU] })
  normalCpu(@Payload() d: Delivery): Promise<void> {
    return this.runner.handle(NORMAL_CPU, d, this.slots[NORMAL_CPU]);
  }

  @Consume(HIGH_CPU, { prefetch: (c: AppConfig) => concurrency(c)[HIGH_CPU] })
  highCpu(@Payload() d: Delivery): Promise<void> {
    return this.runner.handle(HIGH_CPU, d, this.slots[HIGH_CPU]);
  }

  @Consume(NORMAL_IO, { prefetch: (c: AppConfig) => 2 * concurrency(c)[NORMAL_IO] })
  normalIo(@Payload() d: Delivery): Promise<void> {
    return this.runner.handle(NORMAL_IO, d, this.slots[NORMAL_IO]);
  }

  @Consume(HIGH_IO, { prefetch: (c: AppConfig) => 2 * concurrency(c)[HIGH_IO] })
  highIo(@Payload() d: Delivery): Promise<void> {
    return this.runner.handle(HIGH_IO, d, this.slots[HIGH_IO]);
  }

  /** SIGTERM: take no more messages, let the running ones finish and report, then close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.amqp.stopConsuming();
    await this.runner.drain();
  }
}
