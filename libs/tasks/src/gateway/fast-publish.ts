import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { AmqpService } from '@conveyor/messaging';
import { NewOutboxMessage, OutboxRepository } from './outbox.repository';
import { PreparedTask } from './tasks.repository';
import { TasksMetrics } from './tasks.metrics';
import { publishSigned } from './task-message';

/** Messages published and not yet confirmed and removed; past this, submissions go to the relay. */
const MAX_IN_FLIGHT = 10_000;
/** How long a stopping gateway waits for its publishes and their rows' removal. */
const SHUTDOWN_WAIT_MS = 5000;
/** Outbox rows removed per statement. */
const MAX_REMOVE = 5_000;

type Sent = NewOutboxMessage & { taskId: string };

/**
 * Publishes a submitted task's first message right after its commit, without the relay's round
 * trip (a claiming transaction and the body read back). The task is stored `queued` and its outbox
 * row due `OUTBOX_FALLBACK_MS` later; the row is removed once the broker confirmed the message.
 * When this gateway dies first, or the publish fails, a relay publishes it then. Copies that both
 * sent are run once: the worker acks a copy of an attempt it has already done.
 */
@Injectable()
export class FastPublish implements BeforeApplicationShutdown {
  private readonly logger = new Logger(FastPublish.name);
  private inFlight = 0;
  private readonly sending = new Set<Promise<void>>();
  /** Confirmed, their rows still to remove: one statement at a time takes all that are waiting. */
  private confirmed: Sent[] = [];
  private removing?: Promise<void>;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly amqp: AmqpService,
    private readonly metrics: TasksMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Before the insert: marks the submissions this gateway will publish itself (due now, in no
   * group and no flow; stored `queued`) and moves their rows' due time to the fallback's. None
   * while the broker is away or too many are in flight: the relay takes those as before.
   */
  mark(items: PreparedTask[]): void {
    const { fallbackMs, wakeOnCommit } = this.config.outbox;
    if (!wakeOnCommit || fallbackMs === 0 || this.inFlight >= MAX_IN_FLIGHT || !this.amqp.isConnected())
      return;
    const now = Date.now();
    const fallback = new Date(now + fallbackMs);
    for (const item of items) {
      if (item.flow || item.task.group !== null || item.task.runAt.getTime() > now) continue;
      item.fast = true;
      item.message.availableAt = fallback;
    }
  }

  /** After their commit: publishes the marked ones (not awaited; the answer does not wait for the broker). */
  send(items: PreparedTask[]): void {
    const sent = items.filter((i) => i.fast && i.message.taskId !== null).map((i) => i.message as Sent);
    if (sent.length === 0) return;
    this.inFlight += sent.length;
    const sending: Promise<void> = this.publish(sent).finally(() => {
      this.inFlight -= sent.length;
      this.sending.delete(sending);
    });
    this.sending.add(sending);
  }

  /**
   * A stopping gateway finishes what it started, so its rows do not wait for the fallback; not
   * longer than SHUTDOWN_WAIT_MS (say, with the broker away): a relay has those rows then.
   */
  async beforeApplicationShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.sending]),
      new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }

  private async publish(messages: Sent[]): Promise<void> {
    const { sent, reason } = await publishSigned(
      this.amqp,
      this.metrics,
      this.config.taskSigningKey,
      messages,
      (m) => Buffer.from(JSON.stringify(m.body)),
    );
    if (sent.length < messages.length) {
      this.logger.warn(
        `${messages.length - sent.length} messages not published after their commit (${String(reason)}); ` +
          `a relay publishes them when their outbox rows fall due`,
      );
    }
    if (sent.length > 0) await this.remove(sent);
  }

  private remove(sent: Sent[]): Promise<void> {
    this.confirmed.push(...sent);
    // removeAll awaits before it can finish, as `confirmed` is not empty here.
    this.removing ??= this.removeAll();
    return this.removing;
  }

  private async removeAll(): Promise<void> {
    // One turn first: the confirms of this moment go into the same statement.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.confirmed.length > 0) {
      const batch = this.confirmed.splice(0, MAX_REMOVE);
      await this.outbox
        .removePublished(batch)
        .catch((err: Error) =>
          this.logger.warn(
            `outbox rows of ${batch.length} published messages not removed (${err.message}); ` +
              `a relay publishes them again when they fall due, and workers run each attempt once`,
          ),
        );
    }
    // In the same turn as the loop's last look: a message confirmed after it starts a new pass.
    this.removing = undefined;
  }
}
