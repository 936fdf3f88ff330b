import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { PLANS_CHUNK_TYPE, RATES_MESSAGE_TYPE } from '@conveyor/contracts';
import { PlansService } from '@conveyor/plans/gateway';
import { CurrenciesService } from '@conveyor/currency/gateway';
import { AmqpService, Delivery, QUEUES } from '@conveyor/messaging';
import { OutboxRelay, TaskReportsService } from '@conveyor/tasks/gateway';

/** How long shutdown waits for received reports to be applied (longer if the database is down). */
const SHUTDOWN_GRACE_MS = 5000;

/** Transport adapter: worker reports, rate announcements, plans chunks and dead letters in, table updates out. */
@Injectable()
export class ReportsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly amqp: AmqpService,
    private readonly reports: TaskReportsService,
    private readonly relay: OutboxRelay,
    private readonly currencies: CurrenciesService,
    private readonly plans: PlansService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { prefetch } = this.config.status;
    await this.amqp.consume(QUEUES.statusHigh, prefetch, (d) => this.reports.receiveStatus(d, 'high'));
    await this.amqp.consume(QUEUES.status, prefetch, (d) => this.receive(d));
    await this.amqp.consume(QUEUES.deadGateway, 50, (d) => this.reports.receiveDeadLetter(d));
    this.relay.start();
  }

  /** `conveyor.status` carries task reports, rate-table announcements and plans chunks. */
  private receive(d: Delivery): Promise<void> {
    if (d.type === RATES_MESSAGE_TYPE) return this.currencies.receiveRates(d);
    if (d.type === PLANS_CHUNK_TYPE) return this.plans.receiveChunk(d);
    return this.reports.receiveStatus(d, 'normal');
  }

  /** Drain before the connection closes: stop the relay and intake, apply what was received. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.amqp.stopConsuming();
    await this.reports.drain(SHUTDOWN_GRACE_MS);
  }
}
