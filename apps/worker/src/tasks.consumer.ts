import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { AmqpService, WORK_QUEUES } from '@conveyor/messaging';
import { TaskRunner } from '@conveyor/runtime';

/**
 * Transport adapter: one channel per work queue. The prefetch is each lane's concurrency, so the
 * high lane has capacity of its own and a CPU backlog never holds IO work back.
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
    const prefetch = {
      'normal.cpu': cpuThreads,
      'high.cpu': 1,
      'normal.io': ioConcurrency,
      'high.io': highIoConcurrency,
    };
    for (const { queue, priority, kind } of WORK_QUEUES) {
      await this.amqp.consume(queue, prefetch[`${priority}.${kind}`], (d) => this.runner.handle(queue, d));
    }
  }

  /** SIGTERM: take no more messages, let the running ones finish and report, then close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.amqp.stopConsuming();
    await this.runner.drain(this.config.worker.shutdownGraceMs);
  }
}
