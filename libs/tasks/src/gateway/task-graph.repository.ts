import { Injectable } from '@nestjs/common';
import { Database, Tx, execute } from '@conveyor/db';
import { Priority, TaskStatus, isTerminal } from '@conveyor/contracts';
import { OutboxRepository } from './outbox.repository';
import { taskOutboxMessage } from './task-message';

/** A task that just reached a terminal status, as the statement that moved it returned it. */
export interface FinishedTask {
  id: string;
  status: TaskStatus;
  flowId: string | null;
}

/** One dependency of a flow: `taskId` waits for `parentId`. */
export interface TaskEdge {
  flowId: string;
  parentId: string;
  taskId: string;
}

/** The code of a flow task cancelled because a parent did not succeed; a retry of that parent revives it. */
export const PARENT_FAILED = 'PARENT_FAILED';

/**
 * One flow task's parents' results as its messages carry them: `{key: result}` of its succeeded
 * parents. The status test is in the aggregate's FILTER, not the WHERE: the only condition the
 * planner can use is then the edge index by task, whatever its statistics say (stale ones right
 * after a bulk load made it scan every succeeded task for each child).
 */
export const parentsSql = (task: string) => `(SELECT COALESCE(
    jsonb_object_agg(p.flow_key, p.result) FILTER (WHERE p.status = 'succeeded'), '{}'::jsonb)
  FROM task_parents e JOIN tasks p ON p.id = e.parent_id WHERE e.task_id = ${task})`;

/**
 * The dependencies between flow tasks (task_parents) and what they do to the waiting tasks. A
 * child's `waiting_on` counts the parents it still waits for and is only changed by UPDATE, whose
 * row lock makes two parents finishing at once in two gateways count correctly.
 */
@Injectable()
export class TaskGraphRepository {
  constructor(
    private readonly db: Database,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Every edge of a flow. */
  edgesOf(flowId: string): Promise<{ parentId: string; taskId: string }[]> {
    return this.db.query(
      `SELECT parent_id AS "parentId", task_id AS "taskId" FROM task_parents WHERE flow_id = $1`,
      [flowId],
    );
  }

  /** The parents that ended without success and still hold these tasks back (retrying those runs them). */
  blockingParents(
    ids: string[],
    tx: Tx = this.db,
  ): Promise<{ id: string; key: string; status: TaskStatus }[]> {
    // OFFSET 0 fences the status test off the join, so the plan starts from the edges (see parentsSql).
    return tx.query(
      `SELECT DISTINCT id, key, status FROM (
         SELECT p.id, p.flow_key AS key, p.status FROM task_parents e JOIN tasks p ON p.id = e.parent_id
         WHERE e.task_id = ANY($1::uuid[]) AND NOT e.resolved OFFSET 0
       ) parents WHERE status IN ('failed', 'dead', 'cancelled') ORDER BY key`,
      [ids],
    );
  }

  async insertEdges(tx: Tx, edges: TaskEdge[]): Promise<void> {
    if (edges.length === 0) return;
    await tx.query(
      `INSERT INTO task_parents (flow_id, parent_id, task_id)
       SELECT flow_id, parent_id, task_id FROM jsonb_to_recordset($1::jsonb) AS x(flow_id uuid, parent_id uuid, task_id uuid)`,
      [JSON.stringify(edges.map((e) => ({ flow_id: e.flowId, parent_id: e.parentId, task_id: e.taskId })))],
    );
  }

  /**
   * In the transaction that finished these tasks: their waiting descendants that need them to
   * succeed are cancelled (`onParentFailure: cancel`), the children they no longer hold back are
   * released with their parents' results and their first message. Returns how many were released.
   */
  async settle(tx: Tx, finished: readonly FinishedTask[]): Promise<number> {
    const done = finished.filter((t) => t.flowId !== null && isTerminal(t.status));
    if (done.length === 0) return 0;
    const failed = done.filter((t) => t.status !== 'succeeded').map((t) => t.id);
    const cancelled = await this.cancelDescendants(tx, failed);
    const ready = await this.resolveEdges(
      tx,
      done.filter((t) => t.status === 'succeeded').map((t) => t.id),
      [...failed, ...cancelled],
    );
    return this.release(tx, ready);
  }

  /**
   * A retried flow task: the descendants its end cancelled wait again, except those another parent
   * that did not succeed still holds back (cancelled again, naming that parent). Returns how many
   * tasks that released (an `ignore` child of one cancelled again).
   */
  async revive(tx: Tx, taskId: string): Promise<number> {
    await this.unresolve(tx, [taskId]);
    const cancelledByParent = `c.status = 'cancelled' AND c.error->>'code' = '${PARENT_FAILED}'`;
    const { rows } = await execute<{ id: string }>(
      tx,
      `WITH RECURSIVE r(id) AS (
         SELECT e.task_id FROM task_parents e JOIN tasks c ON c.id = e.task_id
         WHERE e.parent_id = $1 AND ${cancelledByParent}
         UNION
         SELECT e.task_id FROM r JOIN task_parents e ON e.parent_id = r.id JOIN tasks c ON c.id = e.task_id
         WHERE ${cancelledByParent}
       )
       UPDATE tasks t SET status = 'waiting', error = NULL, finished_at = NULL, updated_at = now()
       FROM r WHERE t.id = r.id AND t.status = 'cancelled' RETURNING t.id`,
      [taskId],
    );
    if (rows.length === 0) return 0;
    const revived = rows.map((r) => r.id);
    await this.unresolve(tx, revived);
    const blockers = await this.blockingParents(revived, tx);
    const again = await this.cancelDescendants(
      tx,
      blockers.map((b) => b.id),
    );
    return this.release(tx, await this.resolveEdges(tx, [], again));
  }

  /** Cancels the waiting descendants reached through children that need their parent to succeed. */
  private async cancelDescendants(tx: Tx, failed: string[]): Promise<string[]> {
    if (failed.length === 0) return [];
    const doomedChild = `c.status = 'waiting' AND c.on_parent_failure = 'cancel'`;
    const { rows } = await execute<{ id: string }>(
      tx,
      `WITH RECURSIVE doomed(id, parent_id) AS (
         SELECT e.task_id, e.parent_id FROM task_parents e JOIN tasks c ON c.id = e.task_id
         WHERE e.parent_id = ANY($1::uuid[]) AND ${doomedChild}
         UNION
         SELECT e.task_id, e.parent_id FROM doomed d JOIN task_parents e ON e.parent_id = d.id
           JOIN tasks c ON c.id = e.task_id WHERE ${doomedChild}
       ), cause AS (
         -- A doomed parent is still waiting in this statement's snapshot: it ends cancelled.
         SELECT DISTINCT ON (d.id) d.id, p.id AS parent_id, p.flow_key AS parent_key,
           CASE WHEN p.status = 'waiting' THEN 'cancelled' ELSE p.status END AS parent_status
         FROM doomed d JOIN tasks p ON p.id = d.parent_id ORDER BY d.id, p.flow_key
       )
       UPDATE tasks t SET status = 'cancelled', finished_at = now(), updated_at = now(),
         error = jsonb_build_object('code', '${PARENT_FAILED}', 'retryable', false,
           'message', format('parent %s (task %s) ended %s', c.parent_key, c.parent_id, c.parent_status))
       FROM cause c WHERE t.id = c.id AND t.status = 'waiting' RETURNING t.id`,
      [failed],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Counts the edges from these finished parents off their children's `waiting_on`: every edge of
   * a succeeded parent (a task succeeds once, so it is counted once), and a failed one's towards
   * `onParentFailure: ignore` children, which are marked `resolved` so that, should the parent be
   * retried and succeed, they are not counted twice. Returns the children left with nothing to
   * wait for.
   */
  private async resolveEdges(tx: Tx, succeeded: string[], failed: string[]): Promise<string[]> {
    // The ignore edges only when a parent failed: the common case reads the edges by their key alone.
    const ignored =
      failed.length === 0
        ? ''
        : `ignored AS (
             UPDATE task_parents e SET resolved = true FROM tasks c
             WHERE e.parent_id = ANY($2::uuid[]) AND NOT e.resolved AND c.id = e.task_id AND c.on_parent_failure = 'ignore'
             RETURNING e.task_id
           ), `;
    const { rows } = await execute<{ id: string; waitingOn: number; status: TaskStatus }>(
      tx,
      `WITH ${ignored}done AS (
         SELECT task_id FROM task_parents WHERE parent_id = ANY($1::uuid[]) AND NOT resolved
         ${failed.length === 0 ? '' : 'UNION ALL SELECT task_id FROM ignored'}
       ), n AS (SELECT task_id, count(*)::int AS n FROM done GROUP BY task_id ORDER BY task_id)
       UPDATE tasks t SET waiting_on = t.waiting_on - n.n FROM n WHERE t.id = n.task_id
       RETURNING t.id, t.waiting_on AS "waitingOn", t.status`,
      failed.length === 0 ? [succeeded] : [succeeded, failed],
    );
    return rows.filter((r) => r.waitingOn === 0 && r.status === 'waiting').map((r) => r.id);
  }

  /**
   * Retried or revived parents take back what their end resolved: their `ignore` children still
   * waiting wait for them again (one that already ran keeps its edge resolved, so its success is not counted).
   */
  private async unresolve(tx: Tx, parentIds: string[]): Promise<void> {
    await tx.query(
      `WITH u AS (
         UPDATE task_parents e SET resolved = false FROM tasks c
         WHERE e.parent_id = ANY($1::uuid[]) AND e.resolved AND c.id = e.task_id AND c.status = 'waiting'
         RETURNING e.task_id
       ), n AS (SELECT task_id, count(*)::int AS n FROM u GROUP BY task_id)
       UPDATE tasks t SET waiting_on = t.waiting_on + n.n FROM n WHERE t.id = n.task_id`,
      [parentIds],
    );
  }

  /**
   * Waiting tasks with no parent left to wait for become pending, with their first message. The
   * ids come from resolveEdges in this transaction, which holds their rows locked since: no
   * status test is needed (and none tempts the planner onto the status index).
   */
  private async release(tx: Tx, ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const { rows } = await execute<{
      id: string;
      type: string;
      priority: Priority;
      payload: unknown;
      parents: Record<string, unknown>;
      attempts: number;
      runAt: Date;
      group: string | null;
    }>(
      tx,
      // One aggregate for all of them, each parent read by its primary key (OFFSET 0 keeps the
      // planner from turning that into a scan of tasks, which stale statistics after a bulk load did).
      `WITH agg AS (
         SELECT e.task_id, COALESCE(jsonb_object_agg(p.flow_key, p.result) FILTER (WHERE p.status = 'succeeded'),
           '{}'::jsonb) AS parents
         FROM task_parents e
         CROSS JOIN LATERAL (SELECT flow_key, result, status FROM tasks WHERE id = e.parent_id OFFSET 0) p
         WHERE e.task_id = ANY($1::uuid[]) GROUP BY e.task_id
       )
       UPDATE tasks t SET status = 'pending', run_at = now(), updated_at = now(), parents = agg.parents
       FROM agg WHERE t.id = agg.task_id
       RETURNING t.id, t.type, t.priority, t.payload, t.parents, t.attempts, t.run_at AS "runAt",
         t.group_name AS "group"`,
      [ids],
    );
    await this.outbox.insert(
      tx,
      rows.map((r) => taskOutboxMessage(r, r.attempts + 1, r.runAt)),
    );
    return rows.length;
  }
}
