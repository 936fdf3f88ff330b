import { Inject, Injectable, Logger } from '@nestjs/common';
import { Batcher } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { Priority, STATUS_BATCH_MAX, StatusBatch, StatusMessage } from '@conveyor/contracts';
import { AmqpService, EXCHANGES, statusRoutingKey } from '@conveyor/messaging';

const STATUS_BATCHES_IN_FLIGHT = 4;
/** How long an unconfirmed batch of reports is sent again before its tasks' messages go back. */
const RESEND_FOR_MS = 30_000;
/** A short, even pause between sends: a publish itself waits for the connection to come back. */
const RESEND_PAUSE_MS = 250;

interface Pending {
  report: StatusMessage;
  done: (err?: Error) => void;
}

/**
 * Sends worker reports to `conveyor.status` in batches (one confirmed message per batch): a
 * report's promise resolves once the broker confirmed the batch that carries it. Each priority
 * has its own batches and lane, so a high-priority report never queues behind normal ones.
 */
@Injectable()
export class StatusPublisher {
  private readonly logger = new Logger(StatusPublisher.name);
  private readonly batchers: Record<Priority, Batcher<Pending>>;

  constructor(
    private readonly amqp: AmqpService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    // Several batches in flight: the worker's pace is not tied to one confirm round trip at a time.
    // One channel publishes them all, so the status queue still receives them in order.
    const lane = (priority: Priority) =>
      new Batcher<Pending>(
        Math.min(STATUS_BATCH_MAX, 500),
        config.status.batchMs,
        (batch) => this.send(priority, batch),
        STATUS_BATCHES_IN_FLIGHT,
      );
    this.batchers = { high: lane('high'), normal: lane('normal') };
  }

  report(report: StatusMessage, priority: Priority): Promise<void> {
    return new Promise((resolve, reject) => {
      this.batchers[priority].push({ report, done: (err) => (err ? reject(err) : resolve()) });
    });
  }

  /**
   * Publishes a batch until the broker confirms it. A publish lost with a broker node (its channel
   * closed before the confirm) is sent again once the connection is back, for up to
   * RESEND_FOR_MS: the gateway ignores a report it already applied, and re-running the handlers
   * of the whole batch instead would run their attempts twice.
   */
  private async send(priority: Priority, batch: Pending[]): Promise<void> {
    const body: StatusBatch = { reports: batch.map((p) => p.report) };
    const deadline = Date.now() + RESEND_FOR_MS;
    for (;;) {
      try {
        await this.amqp.publish(EXCHANGES.status, statusRoutingKey(priority), body, { type: 'status.batch' });
        batch.forEach((p) => p.done());
        return;
      } catch (err) {
        if (Date.now() + RESEND_PAUSE_MS > deadline) {
          batch.forEach((p) => p.done(err as Error));
          return;
        }
        this.logger.warn(
          `a batch of ${batch.length} reports was not confirmed, sending it again: ${(err as Error).message}`,
        );
        await new Promise((r) => setTimeout(r, RESEND_PAUSE_MS));
      }
    }
  }
}
