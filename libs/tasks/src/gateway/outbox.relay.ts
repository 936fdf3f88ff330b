import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { BackgroundLoop } from '@conveyor/common';
import { AmqpService, SIGNATURE_HEADER, signTask } from '@conveyor/messaging';
import { OutboxRepository } from './outbox.repository';
import { TasksMetrics } from './tasks.metrics';

/**
 * Publishes due outbox rows with confirms and deletes them in the transaction that locked them.
 * A crash before commit leaves the rows in place, so they are published again (at-least-once).
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly amqp: AmqpService,
    private readonly metrics: TasksMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new BackgroundLoop(
      // A full batch means more is due right now.
      async () => (await this.publishDue()) === config.outbox.batchSize,
      {
        idleMs: config.outbox.pollMs,
        maxBackoffMs: 5000,
        onError: (err, retryIn) =>
          this.logger.warn(`outbox relay pass failed, retrying in ${retryIn} ms: ${err.message}`),
      },
    );
  }

  start(): void {
    this.loop.start();
  }

  /** New rows are due: look now instead of at the next poll (a pass in progress looks again after). */
  wake(): void {
    this.loop.wake();
  }

  /** Stops after the pass in progress, whose publishes and commit complete first. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass: returns how many rows it claimed. */
  async publishDue(): Promise<number> {
    return this.outbox.transaction(async (tx) => {
      const rows = await this.outbox.claimDue(tx, this.config.outbox.batchSize);
      if (rows.length === 0) return 0;
      const key = this.config.taskSigningKey;
      const outcomes = await Promise.allSettled(
        rows.map((r) => {
          const body = Buffer.from(r.body);
          // A task message carries proof that this relay published it (workers run nothing else).
          const headers =
            r.taskId !== null && r.attempt !== null
              ? { ...r.headers, [SIGNATURE_HEADER]: signTask(key, r.taskId, r.attempt, body) }
              : r.headers;
          return this.amqp.publish(r.exchange, r.routingKey, body, {
            messageId: r.messageId,
            correlationId: r.taskId ?? undefined,
            type: r.messageType,
            headers,
          });
        }),
      );
      const sent = rows.filter((_, i) => outcomes[i]?.status === 'fulfilled');
      await this.outbox.markPublished(tx, sent);
      this.metrics.published.inc(sent.length);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) {
        this.metrics.publishFailures.inc(rows.length - sent.length);
        this.logger.warn(`${rows.length - sent.length} outbox publishes failed: ${String(failed.reason)}`);
      }
      return rows.length;
    });
  }
}
