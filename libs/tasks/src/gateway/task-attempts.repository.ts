import { Injectable } from '@nestjs/common';
import { Database, Tx, execute } from '@conveyor/db';
import {
  TASK_STATUSES,
  TERMINAL_STATUSES,
  TRANSITIONS,
  TaskErrorInfo,
  TaskStatus,
} from '@conveyor/contracts';
import type { FoldedReport } from './report-fold';
import type { TaskIdentity } from './task-message';
import type { FinishedTask } from './task-graph.repository';

/** A report ready to apply: what the worker said, and what the retry policy made of a failure. */
export interface DecidedReport extends FoldedReport {
  /** The status the task moves to: the reported one, or `retrying` for a failure that runs again. */
  next: TaskStatus;
  /** For `retrying`: how long until the next attempt. */
  delayMs: number | null;
}

interface AppliedRow extends TaskIdentity {
  status: TaskStatus;
  flowId: string | null;
  /** Set for a row the batch made `succeeded`. */
  result: unknown;
  attempts: number;
  runAt: Date;
}

export interface AppliedReports {
  /** The tasks a report changed. */
  changed: string[];
  /** Tasks this batch made `succeeded` (each exactly once, however often its report came). */
  succeeded: AppliedRow[];
  /** Tasks that became `retrying`: `attempts` is the attempt to publish at `runAt`. */
  retries: AppliedRow[];
  /** Flow tasks this batch finished (their children may move). */
  finishedInFlows: FinishedTask[];
  /** A grouped task stopped running (finished or waits for a retry): its group has room again. */
  groupSlotFreed: boolean;
}

export interface AttemptRow {
  attempt: number;
  status: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: TaskErrorInfo | null;
}

/** Every legal `from>to` pair, for guards inside set-based UPDATEs. */
const LEGAL_TRANSITIONS = TASK_STATUSES.flatMap((from) => TRANSITIONS[from].map((to) => `${from}>${to}`));

/** What workers report about attempts: applying it to tasks, and the task_attempts history. */
/** The error on an attempt whose success arrived after its task was cancelled. */
export const SUCCEEDED_AFTER_CANCEL = {
  message:
    'the handler succeeded, but the task had been cancelled before its outcome arrived; the result was discarded',
  code: 'SUCCEEDED_AFTER_CANCEL',
  retryable: false,
};

@Injectable()
export class TaskAttemptsRepository {
  constructor(private readonly db: Database) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** The attempt ceilings of these tasks (only a terminal task's changes, so no lock is needed). */
  async maxAttempts(tx: Tx, ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; maxAttempts: number }[] = await tx.query(
      `SELECT id, max_attempts AS "maxAttempts" FROM tasks WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.maxAttempts]));
  }

  /** The attempt counters of a task, locked until the transaction ends. */
  async lockAttempts(tx: Tx, id: string): Promise<{ attempts: number; maxAttempts: number } | null> {
    const rows: { attempts: number; maxAttempts: number }[] = await tx.query(
      `SELECT attempts, max_attempts AS "maxAttempts" FROM tasks WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Applies a batch of reports (one per task) in one guarded UPDATE. A report changes a task only
   * along a legal transition and never for an attempt older than the task's; duplicates and late
   * reports therefore change nothing. A `retrying` task is due after its delay, and `attempts`
   * moves to the next attempt at once, so a duplicate of the failure cannot schedule a second retry.
   */
  async applyReports(tx: Tx, reports: DecidedReport[]): Promise<AppliedReports> {
    if (reports.length === 0) {
      return { changed: [], succeeded: [], retries: [], finishedInFlows: [], groupSlotFreed: false };
    }
    const records = JSON.stringify(
      reports.map((r) => ({
        id: r.taskId,
        status: r.status,
        next: r.next,
        attempt: r.attempt,
        at: r.at,
        started_at: r.startedAt,
        result: r.result ?? null,
        error: r.error,
        delay_ms: r.delayMs,
        progress: r.progress,
      })),
    );
    // An attempt that ended ends the task's earlier messages too: a scheduled one must not run it
    // again. Deleted before the UPDATE, so outbox rows are locked before tasks rows, as the relay does.
    // One scan of the outbox by task id, each row's attempt read from a JSON object (a binary search):
    // as a join, statistics that took the outbox for empty planned a nested loop that parsed the
    // reports again for every row of the outbox, 13–20 s a statement.
    const ended = reports.filter((r) => TERMINAL_STATUSES.includes(r.next));
    if (ended.length > 0) {
      await tx.query(
        `DELETE FROM outbox WHERE id = ANY(ARRAY(SELECT id FROM outbox
           WHERE task_id = ANY($1::uuid[]) AND attempt <= ($2::jsonb ->> task_id::text)::int))`,
        [
          ended.map((r) => r.taskId),
          JSON.stringify(Object.fromEntries(ended.map((r) => [r.taskId.toLowerCase(), r.attempt]))),
        ],
      );
    }
    const { rows } = await execute<AppliedRow>(
      tx,
      `UPDATE tasks t SET
         status = v.next,
         -- A report that beat the relay's queued mark (the relay marks after its publish): queued by its start.
         queued_at = COALESCE(t.queued_at, LEAST(v.started_at, v.at)),
         started_at = COALESCE(v.started_at, t.started_at, v.at),
         finished_at = CASE WHEN v.next IN ('succeeded', 'failed', 'cancelled') THEN COALESCE(t.finished_at, v.at) ELSE t.finished_at END,
         result = CASE WHEN v.status = 'succeeded' THEN v.result ELSE t.result END,
         error = CASE WHEN v.status = 'failed' THEN v.error WHEN v.status = 'succeeded' THEN NULL ELSE t.error END,
         progress = CASE WHEN v.status = 'succeeded' THEN 100
           WHEN t.status = 'running' THEN GREATEST(t.progress, COALESCE(v.progress, 0))
           ELSE COALESCE(v.progress, 0) END,
         attempts = CASE WHEN v.next = 'retrying' THEN v.attempt + 1 ELSE GREATEST(t.attempts, v.attempt) END,
         run_at = CASE WHEN v.next = 'retrying' THEN now() + v.delay_ms * interval '1 millisecond' ELSE t.run_at END,
         updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, status text, next text, attempt int, at timestamptz,
           started_at timestamptz, result jsonb, error jsonb, delay_ms int, progress int)
       WHERE t.id = v.id AND t.attempts <= v.attempt AND ((t.status || '>' || v.next) = ANY($2)
         -- progress of the running attempt: only forward
         OR (t.status = 'running' AND v.next = 'running' AND v.progress > t.progress))
       RETURNING t.id, t.type, t.priority, t.payload, t.status, t.attempts, t.run_at AS "runAt",
         CASE WHEN t.status = 'succeeded' THEN t.result END AS result, t.flow_id AS "flowId", t.parents,
         t.group_name AS "group"`,
      [records, LEGAL_TRANSITIONS],
    );
    return {
      changed: rows.map((r) => r.id),
      succeeded: rows.filter((r) => r.status === 'succeeded'),
      retries: rows.filter((r) => r.status === 'retrying'),
      finishedInFlows: rows.filter((r) => r.flowId !== null && TERMINAL_STATUSES.includes(r.status)),
      groupSlotFreed: rows.some(
        (r) => r.group !== null && (r.status === 'retrying' || TERMINAL_STATUSES.includes(r.status)),
      ),
    };
  }

  /**
   * Records what each report says about its attempt; repeating a report changes nothing. A success
   * that reaches a task already cancelled (the handler finished before the cancel reached it, and
   * the report after the cancel committed) is recorded as cancelled, saying so: the task answered
   * the cancel and keeps no result, so its attempts must not show a success it did not take. A report
   * is recorded when it changed its task, when the task has not ended, or when its attempt was
   * already on record (it began while the task was live, say a running task cancelled): never for
   * an attempt that began after its task ended (a stray or duplicate message). Joins, not EXISTS:
   * those were planned as hashed scans of all of tasks and task_attempts for every batch.
   */
  async recordAttempts(tx: Tx, reports: FoldedReport[], applied: readonly string[]): Promise<void> {
    if (reports.length === 0) return;
    await tx.query(
      `INSERT INTO task_attempts (task_id, attempt, status, started_at, finished_at, error)
       SELECT x.id, x.attempt,
         CASE WHEN x.status = 'succeeded' AND t.status = 'cancelled' THEN 'cancelled' ELSE x.status END,
         CASE WHEN x.status = 'running' THEN x.at ELSE x.started_at END,
         CASE WHEN x.status = 'running' THEN NULL ELSE x.at END,
         CASE WHEN x.status = 'succeeded' AND t.status = 'cancelled' THEN $4::jsonb ELSE x.error END
       FROM jsonb_to_recordset($1::jsonb)
         AS x(id uuid, attempt int, status text, at timestamptz, started_at timestamptz, error jsonb)
       LEFT JOIN tasks t ON t.id = x.id
       LEFT JOIN task_attempts a ON a.task_id = x.id AND a.attempt = x.attempt
       WHERE x.id = ANY($2::uuid[]) OR t.status <> ALL($3) OR a.task_id IS NOT NULL
       ON CONFLICT (task_id, attempt) DO UPDATE SET
         status = CASE WHEN task_attempts.status = 'running' THEN EXCLUDED.status ELSE task_attempts.status END,
         started_at = COALESCE(task_attempts.started_at, EXCLUDED.started_at),
         finished_at = COALESCE(task_attempts.finished_at, EXCLUDED.finished_at),
         error = COALESCE(task_attempts.error, EXCLUDED.error)`,
      [
        JSON.stringify(
          reports.map((r) => ({
            id: r.taskId,
            attempt: r.attempt,
            status: r.status,
            at: r.at,
            started_at: r.startedAt,
            error: r.error,
          })),
        ),
        applied,
        TERMINAL_STATUSES,
        JSON.stringify(SUCCEEDED_AFTER_CANCEL),
      ],
    );
  }

  async attemptsOf(id: string): Promise<AttemptRow[]> {
    return this.db.query(
      `SELECT attempt, status, started_at AS "startedAt", finished_at AS "finishedAt", error
       FROM task_attempts WHERE task_id = $1 ORDER BY attempt`,
      [id],
    );
  }
}
