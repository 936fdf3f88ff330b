import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter } from 'prom-client';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { metricsRegistry } from '@conveyor/common';
import {
  PRIORITIES,
  Priority,
  REJECTION_HEADER,
  StatusMessage,
  TaskErrorInfo,
  parseMessage,
  statusBatchSchema,
} from '@conveyor/contracts';
import { Delivery, WORK_QUEUES } from '@conveyor/messaging';
import { Batcher } from '@conveyor/common';
import { FoldedReport, foldReports } from './report-fold';
import { retryDelayMs } from './retry-policy';
import { TaskIdentity, taskOutboxMessage } from './task-message';
import { TaskEventsService } from './task-events.service';
import { TasksRepository } from './tasks.repository';

const applied = new Counter({
  name: 'conveyor_status_messages_total',
  help: 'Worker status messages received, by outcome (applied, ignored as duplicate/stale, invalid)',
  labelNames: ['outcome'],
  registers: [metricsRegistry],
});

/** A task a batch of reports made `succeeded`, with its result. */
export interface SucceededTask extends TaskIdentity {
  result: unknown;
}

/** What a domain does, inside the transaction that applies them, with tasks of its type that succeeded. */
export type SuccessEffect = (m: EntityManager, tasks: readonly SucceededTask[]) => Promise<void>;

/**
 * Applies worker reports and dead letters to the task table. Reports are applied in batches,
 * one transaction per batch and one guarded UPDATE per report, and acked only after commit.
 */
@Injectable()
export class TaskReportsService {
  private readonly logger = new Logger(TaskReportsService.name);
  private readonly stopping = new AbortController();
  /** One batcher per lane: a big batch of normal reports never holds a high-priority one back. */
  private readonly statusBatchers: Record<
    Priority,
    Batcher<{ delivery: Delivery; reports: StatusMessage[] }>
  >;
  private readonly effects = new Map<string, SuccessEffect>();

  constructor(
    private readonly repo: TasksRepository,
    private readonly events: TaskEventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const lane = () =>
      new Batcher<{ delivery: Delivery; reports: StatusMessage[] }>(
        Math.max(1, Math.floor(config.status.prefetch / 2)),
        config.status.batchMs,
        (batch) => this.applyBatch(batch),
      );
    this.statusBatchers = { high: lane(), normal: lane() };
  }

  /**
   * Registers what a task type's success does to its domain (say, upserting a user). It runs in
   * the same transaction as the status change, once per task: a duplicate report changes nothing.
   */
  onSucceeded(type: string, effect: SuccessEffect): void {
    if (this.effects.has(type)) throw new Error(`a success effect for ${type} is already registered`);
    this.effects.set(type, effect);
  }

  /** A status message from `conveyor.status(.high)`; an unparseable one is dead-lettered at once. */
  receiveStatus(delivery: Delivery, lane: Priority): Promise<void> {
    const parsed = parseMessage(statusBatchSchema, delivery.body);
    if (!parsed.ok) {
      applied.inc({ outcome: 'invalid' });
      this.logger.warn(`invalid status message dead-lettered: ${parsed.problem}`);
      delivery.nack(false);
      return Promise.resolve();
    }
    this.statusBatchers[lane].push({ delivery, reports: parsed.value.reports });
    return Promise.resolve();
  }

  /** A dead letter: the task it carried (if it was a task message) becomes `dead`. */
  async receiveDeadLetter(delivery: Delivery): Promise<void> {
    const taskId = deadTaskId(delivery);
    if (!taskId) {
      delivery.ack();
      return;
    }
    const error = deathCause(delivery);
    const settled = await this.untilDone(() =>
      error.code === 'DELIVERY_LIMIT'
        ? this.retryOrBury(taskId, delivery.attempt, error)
        : this.repo.markDead(taskId, delivery.attempt, error),
    );
    if (settled === undefined) return;
    delivery.ack();
    this.events.nudge([taskId]);
  }

  /**
   * A message that hit the delivery limit was returned that often because the workers holding it
   * died: maybe it crashes them, maybe it only shared their fate. It counts as one failed attempt:
   * the task runs again (a fresh message) while it has attempts left, and is `dead` after that.
   */
  private retryOrBury(taskId: string, attempt: number, error: TaskErrorInfo): Promise<boolean> {
    return this.repo.transaction(async (m) => {
      const report: FoldedReport = {
        taskId,
        status: 'failed',
        attempt,
        at: new Date(),
        startedAt: null,
        progress: null,
        result: null,
        error: { ...error, retryable: true },
      };
      const task = await this.repo.lockAttempts(m, taskId);
      if (!task || attempt < task.attempts) return false; // an older attempt's letter
      await this.repo.recordAttempts(m, [report]);
      if (attempt >= task.attempts && attempt < task.maxAttempts) {
        const delay = retryDelayMs(attempt, this.config.retry.baseMs, this.config.retry.maxMs);
        const { retries } = await this.repo.applyReports(m, [report], [delay]);
        await this.repo.insertOutbox(
          m,
          retries.map((r) => taskOutboxMessage(r, r.attempts, r.runAt)),
        );
        if (retries.length > 0) return true;
      }
      return this.repo.markDead(taskId, attempt, error, m);
    });
  }

  /**
   * On shutdown, after intake stopped: applies what was received, for up to `graceMs`. Then it
   * stops retrying (say, the database is down): what is left stays unacked and is redelivered.
   */
  async drain(graceMs: number): Promise<void> {
    const drained = Promise.all(PRIORITIES.map((p) => this.statusBatchers[p].drain()));
    await Promise.race([
      drained,
      sleep(graceMs, undefined, { signal: this.stopping.signal }).catch(() => undefined),
    ]);
    this.stopping.abort();
    await drained;
  }

  private async applyBatch(batch: { delivery: Delivery; reports: StatusMessage[] }[]): Promise<void> {
    const reports = batch.flatMap((b) => b.reports);
    const folded = foldReports(reports);
    const delays = folded.map((r) =>
      retryDelayMs(r.attempt, this.config.retry.baseMs, this.config.retry.maxMs),
    );
    const changed = await this.untilDone(() =>
      this.repo.transaction(async (m) => {
        const result = await this.repo.applyReports(m, folded, delays);
        await this.repo.insertOutbox(
          m,
          result.retries.map((r) => taskOutboxMessage(r, r.attempts, r.runAt)),
        );
        await this.repo.recordAttempts(m, folded);
        for (const [type, effect] of this.effects) {
          const mine = result.succeeded.filter((t) => t.type === type);
          if (mine.length > 0) await effect(m, mine);
        }
        return result.changed;
      }),
    );
    if (changed === undefined) return; // shutting down: left unacked for redelivery
    this.events.nudge(folded.map((r) => r.taskId));
    applied.inc({ outcome: 'applied' }, changed);
    applied.inc({ outcome: 'ignored' }, reports.length - changed);
    for (const { delivery } of batch) delivery.ack();
  }

  /**
   * Retries a database write until it succeeds, or gives up (undefined) once shutdown began. The
   * messages stay unacked meanwhile, so the broker holds the rest back; nacking would count
   * against the delivery limit and could lose reports.
   */
  private async untilDone<T>(write: () => Promise<T>): Promise<T | undefined> {
    for (let wait = 100; !this.stopping.signal.aborted; wait = Math.min(wait * 2, 5000)) {
      try {
        return await write();
      } catch (err) {
        this.logger.warn(`applying reports failed, retrying in ${wait} ms: ${(err as Error).message}`);
        await sleep(wait, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
    return undefined;
  }
}

/** Why a letter died: a worker's own rejection, the broker's reason, or no binding at all. */
function deathCause(delivery: Delivery): TaskErrorInfo {
  const rejection = delivery.header(REJECTION_HEADER);
  if (typeof rejection === 'string' || Buffer.isBuffer(rejection)) {
    try {
      const r = JSON.parse(rejection.toString()) as { code?: unknown; message?: unknown; queue?: unknown };
      return {
        code: typeof r.code === 'string' ? r.code : 'REJECTED',
        message: `${String(r.message)} (dead-lettered from ${String(r.queue)})`,
        retryable: false,
      };
    } catch {
      // fall through to the broker's account
    }
  }
  const queue = delivery.header('x-first-death-queue');
  const reason = delivery.header('x-first-death-reason');
  if (typeof reason === 'string') {
    return {
      code: reason === 'delivery_limit' ? 'DELIVERY_LIMIT' : 'DEAD_LETTERED',
      message: `dead-lettered from ${String(queue)} (${reason})`,
      retryable: false,
    };
  }
  return { code: 'UNROUTABLE', message: 'no work queue is bound for its routing key', retryable: false };
}

const WORK_QUEUE_NAMES = new Set(WORK_QUEUES.map((q) => q.queue));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The task a dead letter belongs to; letters from the status queue or without a task id have none. */
function deadTaskId(delivery: Delivery): string | undefined {
  const queue = delivery.header('x-first-death-queue');
  if (typeof queue === 'string' && !WORK_QUEUE_NAMES.has(queue)) return undefined;
  const id = delivery.correlationId ?? bodyId(delivery.body);
  return id && UUID.test(id) ? id : undefined;
}

function bodyId(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
