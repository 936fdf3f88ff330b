import { Injectable } from '@nestjs/common';
import { Database, Tx, execute } from '@conveyor/db';
import { TaskErrorInfo, isTerminal, sourcesOf } from '@conveyor/contracts';
import { NewOutboxMessage, OutboxRepository } from './outbox.repository';
import { FinishedTask, TaskGraphRepository, parentsSql } from './task-graph.repository';
import { TASK_COLUMNS, TaskRow } from './tasks.repository';

/** The schema's ceiling on attempts (tasks_max_attempts_ck). */
export const MAX_ATTEMPTS = 20;

/**
 * The status changes a client or another domain asks for: cancel, rerun, reschedule, and `dead`
 * for a dead letter. Each is guarded by the state machine; where it also touches the outbox,
 * outbox rows are locked first, in the relay's order, so the two never deadlock.
 */
@Injectable()
export class TaskChangesRepository {
  constructor(
    private readonly db: Database,
    private readonly outbox: OutboxRepository,
    private readonly graph: TaskGraphRepository,
  ) {}

  /**
   * Cancels a task that may still be cancelled, and drops its unpublished messages. In a flow, its
   * descendants move as for any parent that did not succeed; `released` counts those now pending.
   */
  async cancel(id: string): Promise<{ task: TaskRow; released: number } | null> {
    return this.db
      .transaction(async (tx) => {
        const [row] = await this.cancelWhere(tx, `id = $1`, [id], TASK_COLUMNS);
        if (!row) throw new NothingToCancel();
        const task = row as TaskRow;
        return { task, released: await this.graph.settle(tx, [task]) };
      })
      .catch((err: unknown) => {
        if (err instanceof NothingToCancel) return null; // rolled back: its outbox rows stay
        throw err;
      });
  }

  /**
   * Cancels the unfinished tasks of a flow: answers them all, and those a worker may hold (not
   * waiting when read). Nothing of the flow is left to release, so the graph needs no settling.
   */
  async cancelFlow(tx: Tx, flowId: string): Promise<{ cancelled: string[]; held: string[] }> {
    const held: { id: string }[] = await tx.query(
      `SELECT id FROM tasks WHERE flow_id = $1 AND status = ANY($2) AND status <> 'waiting'`,
      [flowId, sourcesOf('cancelled')],
    );
    const cancelled = await this.cancelWhere(tx, `flow_id = $1`, [flowId], 'id');
    return { cancelled: cancelled.map((r) => r.id), held: held.map((r) => r.id) };
  }

  /** Cancels those of `ids` that have not started (pending or queued); returns the ids it cancelled. */
  async cancelWaiting(tx: Tx, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.cancelWhere(
      tx,
      `id = ANY($1::uuid[]) AND status IN ('pending', 'queued')`,
      [ids],
      'id',
    );
    return rows.map((r) => r.id);
  }

  /** Outbox rows first, then the tasks: the relay locks in that order too. */
  private async cancelWhere(tx: Tx, where: string, params: unknown[], returning: string) {
    const guard = `status = ANY($${params.length + 1})`;
    const args = [...params, sourcesOf('cancelled')];
    await tx.query(
      `DELETE FROM outbox WHERE task_id IN (SELECT id FROM tasks WHERE ${where} AND ${guard})`,
      args,
    );
    const { rows } = await execute<{ id: string }>(
      tx,
      `UPDATE tasks SET status = 'cancelled', finished_at = now(), updated_at = now()
       WHERE ${where} AND ${guard} RETURNING ${returning}`,
      args,
    );
    // A flow's report transaction may have released one of them while this UPDATE waited for its
    // row, its message committed after the DELETE above: drop that too. SKIP LOCKED, as the relay
    // holding one is publishing it (the caller's cancel marks keep it from running).
    if (rows.length > 0) {
      await tx.query(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox WHERE task_id = ANY($1::uuid[]) FOR UPDATE SKIP LOCKED)`,
        [rows.map((r) => r.id)],
      );
    }
    return rows;
  }

  /** Moves pending tasks (and their unpublished first messages) to new times. */
  async reschedule(tx: Tx, ids: string[], runAts: Date[]): Promise<void> {
    if (ids.length === 0) return;
    // Outbox rows first, then tasks: the relay's lock order.
    await tx.query(
      `UPDATE outbox o SET available_at = x.run_at FROM unnest($1::uuid[], $2::timestamptz[]) AS x(id, run_at)
       WHERE o.task_id = x.id`,
      [ids, runAts],
    );
    await tx.query(
      `UPDATE tasks t SET run_at = x.run_at, updated_at = now() FROM unnest($1::uuid[], $2::timestamptz[]) AS x(id, run_at)
       WHERE t.id = x.id AND t.status = 'pending'`,
      [ids, runAts],
    );
  }

  /**
   * Makes a failed, dead or cancelled task pending again with its next attempt number and that
   * attempt's outbox message, in one transaction. A flow task whose parents have not all succeeded
   * (cancelled before they did) waits for them again instead; the descendants its end cancelled
   * wait again too. Returns null when the task cannot be rerun.
   */
  async rerun(id: string, message: (task: TaskRow) => NewOutboxMessage): Promise<TaskRow | null> {
    return this.db.transaction(async (tx) => {
      const { rows } = await execute<TaskRow & { parents: Record<string, unknown> | null }>(
        tx,
        `UPDATE tasks SET status = CASE WHEN waiting_on > 0 THEN 'waiting' ELSE 'pending' END,
           attempts = CASE WHEN waiting_on > 0 THEN attempts ELSE attempts + 1 END,
           max_attempts = GREATEST(max_attempts, attempts + 1),
           parents = CASE WHEN flow_id IS NULL OR waiting_on > 0 THEN NULL ELSE ${parentsSql('tasks.id')} END,
           result = NULL, error = NULL, progress = 0, queued_at = NULL, started_at = NULL, finished_at = NULL,
           run_at = now(), updated_at = now()
         WHERE id = $1 AND status = ANY($2) AND attempts < $3 RETURNING ${TASK_COLUMNS}, parents`,
        [id, sourcesOf('pending').filter(isTerminal), MAX_ATTEMPTS],
      );
      const task = rows[0];
      if (!task) return null;
      if (task.status === 'pending') await this.outbox.insert(tx, [message(task)]);
      // What a revive releases is due now; the relay's next poll publishes it.
      if (task.flowId !== null) await this.graph.revive(tx, task.id);
      return task;
    });
  }

  /**
   * Marks a dead-lettered task `dead` unless it already finished or a newer attempt took over, and
   * drops the messages of its attempts so far that were not published yet (a scheduled one would
   * otherwise run the dead task later). Outbox rows first: the relay's lock order.
   */
  async markDead(
    id: string,
    attempt: number,
    error: TaskErrorInfo,
    within?: Tx,
  ): Promise<FinishedTask | null> {
    const work = async (tx: Tx) => {
      const guard = `status = ANY($2) AND attempts <= $3`;
      await tx.query(
        `DELETE FROM outbox WHERE task_id = $1 AND attempt <= $3
         AND EXISTS (SELECT 1 FROM tasks WHERE id = $1 AND ${guard})`,
        [id, sourcesOf('dead'), attempt],
      );
      const { rows } = await execute<FinishedTask>(
        tx,
        `UPDATE tasks SET status = 'dead', error = $4, finished_at = now(), updated_at = now()
         WHERE id = $1 AND ${guard} RETURNING id, status, flow_id AS "flowId"`,
        [id, sourcesOf('dead'), attempt, JSON.stringify(error)],
      );
      return rows[0] ?? null;
    };
    return within ? work(within) : this.db.transaction(work);
  }
}

/** Rolls back a cancel that found the task already finished, so its deleted outbox rows return. */
class NothingToCancel extends Error {}
