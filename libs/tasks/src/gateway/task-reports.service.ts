import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { Batcher, untilDone } from '@conveyor/common';
import type { Tx } from '@conveyor/db';
import { PRIORITIES, Priority, StatusMessage, TaskErrorInfo, statusBatchSchema } from '@conveyor/contracts';
import { Delivery, parseOrDeadLetter, readDeadLetter } from '@conveyor/messaging';
import { OutboxRepository } from './outbox.repository';
import { FoldedReport, foldReports } from './report-fold';
import { decideRetry } from './retry-policy';
import { AppliedReports, DecidedReport, TaskAttemptsRepository } from './task-attempts.repository';
import { TaskIdentity, taskOutboxMessage } from './task-message';
import { TaskEventsService } from './task-events.service';
import { TasksMetrics } from './tasks.metrics';
import { TaskChangesRepository } from './task-changes.repository';
import { FinishedTask, TaskGraphRepository } from './task-graph.repository';
import { OutboxRelay } from './outbox.relay';

/** A task a batch of reports made `succeeded`, with its result. */
export interface SucceededTask extends TaskIdentity {
  result: unknown;
}

/** What a domain does, inside the transaction that applies them, with tasks of its type that succeeded. */
export type SuccessEffect = (tx: Tx, tasks: readonly SucceededTask[]) => Promise<void>;

type StatusDelivery = { delivery: Delivery; reports: StatusMessage[] };

/**
 * Applies worker reports and dead letters to the task table. Reports are applied in batches,
 * one transaction per batch and one guarded UPDATE per report, and acked only after commit.
 */
@Injectable()
export class TaskReportsService {
  private readonly logger = new Logger(TaskReportsService.name);
  private readonly stopping = new AbortController();
  /** One batcher per lane: a big batch of normal reports never holds a high-priority one back. */
  private readonly statusBatchers: Record<Priority, Batcher<StatusDelivery>>;
  private readonly effects = new Map<string, SuccessEffect>();

  constructor(
    private readonly changes: TaskChangesRepository,
    private readonly attempts: TaskAttemptsRepository,
    private readonly outbox: OutboxRepository,
    private readonly graph: TaskGraphRepository,
    private readonly relay: OutboxRelay,
    private readonly events: TaskEventsService,
    private readonly metrics: TasksMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const lane = () =>
      new Batcher<StatusDelivery>(
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
    const batch = parseOrDeadLetter(delivery, statusBatchSchema, 'status message', this.logger);
    if (batch) this.statusBatchers[lane].push({ delivery, reports: batch.reports });
    else this.metrics.statusMessages.inc({ outcome: 'invalid' });
    return Promise.resolve();
  }

  /** A dead letter: the task it carried (if it was a task message) becomes `dead`. */
  async receiveDeadLetter(delivery: Delivery): Promise<void> {
    const { taskId, cause } = readDeadLetter(delivery);
    if (!taskId) {
      delivery.ack();
      return;
    }
    const released = await this.untilDone(() =>
      this.attempts.transaction(async (tx) => {
        const dead =
          cause.code === 'DELIVERY_LIMIT'
            ? await this.retryOrBury(tx, taskId, delivery.attempt, cause)
            : await this.changes.markDead(taskId, delivery.attempt, cause, tx);
        return dead ? this.graph.settle(tx, [dead]) : 0;
      }),
    );
    if (released === undefined) return;
    delivery.ack();
    this.released(released);
    this.events.nudge([taskId]);
  }

  /**
   * A message that hit the delivery limit was returned that often because the workers holding it
   * died: maybe it crashes them, maybe it only shared their fate. It counts as one failed attempt:
   * the task runs again (a fresh message) while it has attempts left, and is `dead` after that
   * (returned, for its flow).
   */
  private async retryOrBury(
    tx: Tx,
    taskId: string,
    attempt: number,
    error: TaskErrorInfo,
  ): Promise<FinishedTask | null> {
    const task = await this.attempts.lockAttempts(tx, taskId);
    if (!task || attempt < task.attempts) return null; // an older attempt's letter
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
    await this.attempts.recordAttempts(tx, [report], []);
    const decision = decideRetry(
      { attempt, maxAttempts: task.maxAttempts, retryable: true },
      this.config.retry,
    );
    if (decision.retry) {
      const { retries } = await this.attempts.applyReports(tx, [
        { ...report, next: 'retrying', delayMs: decision.delayMs },
      ]);
      await this.scheduleRetries(tx, retries);
      if (retries.length > 0) return null;
    }
    return this.changes.markDead(taskId, attempt, error, tx);
  }

  /** Children a finished parent released (or a group's next task) wait in the outbox: publish them now. */
  private released(count: number): void {
    if (count > 0 && this.config.outbox.wakeOnCommit) this.relay.wake();
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

  private async applyBatch(batch: StatusDelivery[]): Promise<void> {
    const reports = batch.flatMap((b) => b.reports);
    const folded = foldReports(reports);
    const applied = await this.untilDone(() =>
      this.attempts.transaction(async (tx) => {
        const result = await this.attempts.applyReports(tx, await this.decide(tx, folded));
        await this.scheduleRetries(tx, result.retries);
        await this.attempts.recordAttempts(tx, folded, result.changed);
        for (const [type, effect] of this.effects) {
          const mine = result.succeeded.filter((t) => t.type === type);
          if (mine.length > 0) await effect(tx, mine);
        }
        const released = await this.graph.settle(tx, result.finishedInFlows);
        return { changed: result.changed.length, released, freed: result.groupSlotFreed };
      }),
    );
    if (applied === undefined) return; // shutting down: left unacked for redelivery
    const { changed, released, freed } = applied;
    // A group's freed slot goes to its next waiting task now, not at the relay's next poll.
    this.released(freed ? 1 : released);
    this.events.nudge(folded.map((r) => r.taskId));
    this.metrics.statusMessages.inc({ outcome: 'applied' }, changed);
    this.metrics.statusMessages.inc({ outcome: 'ignored' }, reports.length - changed);
    for (const { delivery } of batch) delivery.ack();
  }

  /** The next attempt of each task that became `retrying`, due at its new `runAt`. */
  private scheduleRetries(tx: Tx, retries: AppliedReports['retries']): Promise<void> {
    return this.outbox.insert(
      tx,
      retries.map((r) => taskOutboxMessage(r, r.attempts, r.runAt)),
    );
  }

  /** Each failure through the retry policy (reading the tasks' attempt ceilings only when there is one). */
  private async decide(tx: Tx, folded: FoldedReport[]): Promise<DecidedReport[]> {
    const failed = folded.filter((r) => r.status === 'failed').map((r) => r.taskId);
    const ceilings = await this.attempts.maxAttempts(tx, failed);
    return folded.map((r) => {
      const maxAttempts = ceilings.get(r.taskId);
      const decision =
        r.status === 'failed' && maxAttempts !== undefined
          ? decideRetry(
              { attempt: r.attempt, maxAttempts, retryable: r.error?.retryable ?? false },
              this.config.retry,
            )
          : { retry: false as const };
      // Object.assign, not spread: one report per task, and spread-then-add is slow in V8.
      return decision.retry
        ? Object.assign({}, r, { next: 'retrying' as const, delayMs: decision.delayMs })
        : Object.assign({}, r, { next: r.status, delayMs: null });
    });
  }

  /**
   * Retries a database write until it succeeds, or gives up (undefined) once shutdown began. The
   * messages stay unacked meanwhile, so the broker holds the rest back; nacking would count
   * against the delivery limit and could lose reports.
   */
  private untilDone<T>(write: () => Promise<T>): Promise<T | undefined> {
    return untilDone(write, this.stopping.signal, (err, wait) =>
      this.logger.warn(`applying reports failed, retrying in ${wait} ms: ${(err as Error).message}`),
    );
  }
}
