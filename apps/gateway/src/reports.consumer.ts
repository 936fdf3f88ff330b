import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { AmqpService, QUEUES } from '@conveyor/messaging';
import { OutboxRelay, TaskReportsService } from '@conveyor/tasks';

/** How long shutdown waits for received reports to be applied (longer if the database is down). */
const SHUTDOWN_GRACE_MS = 5000;

/** Transport adapter: worker reports and dead letters in, task table updates out. */
@Injectable()
export class ReportsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly amqp: AmqpService,
    private readonly reports: TaskReportsService,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.amqp.consume(QUEUES.status, this.config.status.prefetch, (d) => this.reports.receiveStatus(d));
    await this.amqp.consume(QUEUES.deadGateway, 50, (d) => this.reports.receiveDeadLetter(d));
    this.relay.start();
  }

  /** Drain before the connection closes: stop the relay and intake, apply what was received. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.amqp.stopConsuming();
    await this.reports.drain(SHUTDOWN_GRACE_MS);
  }
}
