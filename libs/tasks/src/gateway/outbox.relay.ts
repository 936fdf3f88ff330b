import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { BackgroundLoop } from '@conveyor/common';
import { Tx } from '@conveyor/db';
import { AmqpService } from '@conveyor/messaging';
import { GroupDispatch } from './group-dispatch';
import { ClaimedMessage, OutboxRepository } from './outbox.repository';
import { TasksMetrics } from './tasks.metrics';
import { publishSigned } from './task-message';

/**
 * Publishes due outbox rows with confirms and deletes them in the transaction that locked them.
 * A crash before commit leaves the rows in place, so they are published again (at-least-once).
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly loop: BackgroundLoop;
  /** A rate-limited group's next token: the pass that may publish it. */
  private tokenTimer?: NodeJS.Timeout;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly groups: GroupDispatch,
    private readonly amqp: AmqpService,
    private readonly metrics: TasksMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new BackgroundLoop(() => this.publishDue(), {
      idleMs: config.outbox.pollMs,
      maxBackoffMs: 5000,
      onError: (err, retryIn) =>
        this.logger.warn(`outbox relay pass failed, retrying in ${retryIn} ms: ${err.message}`),
    });
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
    clearTimeout(this.tokenTimer);
    return this.loop.stop();
  }

  /**
   * One pass: the ungrouped rows, then each waiting group's share within its limits. Answers
   * whether more is due right now (a full claim).
   */
  async publishDue(): Promise<boolean> {
    const { batchSize } = this.config.outbox;
    const started = Date.now();
    const pass = await this.outbox.transaction(async (tx) => {
      const plain = await this.outbox.claimDue(tx, null, batchSize, this.config.lanes);
      const grouped = await this.groups.claim(tx, batchSize);
      await this.publish(tx, [...plain, ...grouped.rows]);
      return { more: plain.length === batchSize || grouped.more, wakeInMs: grouped.wakeInMs };
    });
    if (pass.wakeInMs !== null && !pass.more) {
      clearTimeout(this.tokenTimer);
      // Counted from the pass's start, as the bucket is: a timer set after a slow pass would come
      // late, and a bucket that overflowed meanwhile would have lost the tokens of that delay.
      this.tokenTimer = setTimeout(
        () => this.loop.wake(),
        Math.max(0, pass.wakeInMs - (Date.now() - started)),
      );
    }
    return pass.more;
  }

  private async publish(tx: Tx, rows: ClaimedMessage[]): Promise<void> {
    if (rows.length === 0) return;
    const { sent, reason } = await publishSigned(
      this.amqp,
      this.metrics,
      this.config.taskSigningKey,
      rows,
      (r) => Buffer.from(r.body),
    );
    await this.outbox.markPublished(tx, sent);
    if (sent.length < rows.length) {
      this.logger.warn(`${rows.length - sent.length} outbox publishes failed: ${String(reason)}`);
    }
  }
}
