import { BeforeApplicationShutdown, Controller, OnApplicationBootstrap } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ApiExcludeController } from '@nestjs/swagger';
import type { AppConfig } from '@conveyor/config';
import { PLANS_CHUNK_TYPE, RATES_MESSAGE_TYPE } from '@conveyor/contracts';
import { CurrenciesService } from '@conveyor/currency/gateway';
import { AmqpService, Consume, ConsumeOptions, Delivery, QUEUES } from '@conveyor/messaging';
import { PlansService } from '@conveyor/plans/gateway';
import { OutboxRelay, TaskReportsService } from '@conveyor/tasks/gateway';
import { WorkersService } from '@conveyor/workers/gateway';
import { DeadLettersService } from '@conveyor/dead-letters/gateway';

/** How long shutdown waits for received reports to be applied (longer if the database is down). */
const SHUTDOWN_GRACE_MS = 5000;

const STATUS: ConsumeOptions = { prefetch: (config: AppConfig) => config.status.prefetch };

/** Transport adapter: worker reports and heartbeats, rate announcements, plans chunks and dead letters in, table updates out. */
// A message controller: Nest's Swagger module would list its payload class as an HTTP schema.
@ApiExcludeController()
@Controller()
export class ReportsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly amqp: AmqpService,
    private readonly reports: TaskReportsService,
    private readonly relay: OutboxRelay,
    private readonly currencies: CurrenciesService,
    private readonly plans: PlansService,
    private readonly workers: WorkersService,
    private readonly deadLetters: DeadLettersService,
  ) {}

  @Consume(QUEUES.statusHigh, STATUS)
  statusHigh(@Payload() d: Delivery): Promise<void> {
    return this.reports.receiveStatus(d, 'high');
  }

  /** `conveyor.status` carries task reports, rate-table announcements and plans chunks. */
  @Consume(QUEUES.status, STATUS)
  status(@Payload() d: Delivery): Promise<void> {
    if (d.type === RATES_MESSAGE_TYPE) return this.currencies.receiveRates(d);
    if (d.type === PLANS_CHUNK_TYPE) return this.plans.receiveChunk(d);
    return this.reports.receiveStatus(d, 'normal');
  }

  @Consume(QUEUES.workers, { prefetch: 50 })
  heartbeat(@Payload() d: Delivery): Promise<void> {
    return this.workers.receive(d);
  }

  @Consume(QUEUES.deadGateway, { prefetch: 50 })
  async deadLetter(@Payload() d: Delivery): Promise<void> {
    // Kept for operators first; then the task it names is marked (and the letter acked).
    if (await this.deadLetters.store(d)) await this.reports.receiveDeadLetter(d);
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  /** Drain before the connection closes: stop the relay and intake, apply what was received. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.amqp.stopConsuming();
    await this.reports.drain(SHUTDOWN_GRACE_MS);
  }
}
