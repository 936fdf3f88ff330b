import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge } from 'prom-client';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { metricsRegistry } from '@conveyor/common';
import { AmqpService } from '@conveyor/messaging';
import { TasksRepository } from './tasks.repository';

const published = new Counter({
  name: 'conveyor_outbox_published_total',
  help: 'Outbox messages published and confirmed by the broker',
  registers: [metricsRegistry],
});
const publishFailures = new Counter({
  name: 'conveyor_outbox_publish_failures_total',
  help: 'Outbox publishes that were nacked, returned or timed out (retried on the next pass)',
  registers: [metricsRegistry],
});

/**
 * Publishes due outbox rows with confirms and deletes them in the transaction that locked them.
 * A crash before commit leaves the rows in place, so they are published again (at-least-once).
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private readonly abort = new AbortController();

  constructor(
    private readonly repo: TasksRepository,
    private readonly amqp: AmqpService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    new Gauge({
      name: 'conveyor_outbox_backlog',
      help: 'Outbox rows not yet published (due or scheduled)',
      registers: [metricsRegistry],
      collect: async function (this: Gauge) {
        this.set(await repo.outboxBacklog().catch(() => NaN));
      },
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the pass in progress, whose publishes and commit complete first. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop;
  }

  /** One pass: returns how many rows it claimed. */
  async publishDue(): Promise<number> {
    return this.repo.transaction(async (m) => {
      const rows = await this.repo.claimDue(m, this.config.outbox.batchSize);
      if (rows.length === 0) return 0;
      const outcomes = await Promise.allSettled(
        rows.map((r) =>
          this.amqp.publish(r.exchange, r.routingKey, Buffer.from(r.body), {
            messageId: r.messageId,
            correlationId: r.taskId ?? undefined,
            type: r.messageType,
            headers: r.headers,
          }),
        ),
      );
      const sent = rows.filter((_, i) => outcomes[i]?.status === 'fulfilled');
      await this.repo.markPublished(m, sent);
      published.inc(sent.length);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) {
        publishFailures.inc(rows.length - sent.length);
        this.logger.warn(`${rows.length - sent.length} outbox publishes failed: ${String(failed.reason)}`);
      }
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    let backoff = this.config.outbox.pollMs;
    while (this.running) {
      try {
        const claimed = await this.publishDue();
        backoff = this.config.outbox.pollMs;
        if (claimed === this.config.outbox.batchSize) continue; // more is due right now
      } catch (err) {
        backoff = Math.min(backoff * 2, 5000);
        this.logger.warn(`outbox relay pass failed, retrying in ${backoff} ms: ${(err as Error).message}`);
      }
      await sleep(backoff, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }
}
