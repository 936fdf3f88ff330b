import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Semaphore } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { AmqpService, WORK_QUEUES } from '@conveyor/messaging';
import { TaskRunner } from '@conveyor/tasks/worker';

/**
 * Transport adapter: one channel per work queue, and per lane a bound on the handlers running at
 * once, so the high lane has capacity of its own and a CPU backlog never holds IO work back. An IO
 * lane takes twice its concurrency from the broker: a message whose handler has returned keeps its
 * place until its reports are confirmed, and meanwhile the next one can run. A CPU lane takes only
 * as many as it has threads, so long CPU work waits in the queue where any worker can take it.
 */
@Injectable()
export class TasksConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly amqp: AmqpService,
    private readonly runner: TaskRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { cpuThreads, ioConcurrency, highIoConcurrency } = this.config.worker;
    const concurrency = {
      'normal.cpu': cpuThreads,
      'high.cpu': 1,
      'normal.io': ioConcurrency,
      'high.io': highIoConcurrency,
    };
    for (const { queue, priority, kind } of WORK_QUEUES) {
      const slots = new Semaphore(concurrency[`${priority}.${kind}`]);
      const prefetch = kind === 'io' ? slots.size * 2 : slots.size;
      await this.amqp.consume(queue, prefetch, (d) => this.runner.handle(queue, d, slots));
    }
  }

  /** SIGTERM: take no more messages, let the running ones finish and report, then close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.amqp.stopConsuming();
    await this.runner.drain(this.config.worker.shutdownGraceMs);
  }
}
