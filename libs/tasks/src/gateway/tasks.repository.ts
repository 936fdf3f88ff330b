import { Injectable } from '@nestjs/common';
import { CommitRow, Database, Tx, commitRowCte, commitRowsCte, execute } from '@conveyor/db';
import { Priority, TaskStatus } from '@conveyor/contracts';
import { TEXT_SEARCH } from './task-search';
import { NewOutboxMessage, OUTBOX_COLUMNS, OUTBOX_RECORD, outboxRecord } from './outbox.repository';
import { FlowPlacement, NewTask, PreparedTask, TaskRow, newTaskRow } from './task-rows';

// The row types live in task-rows.ts; their users import them from here, the table's repository.
export type { FlowPlacement, NewTask, PreparedTask, TaskRow };

export interface TaskFilter {
  status?: TaskStatus;
  type?: string;
  group?: string;
  priority?: Priority;
  idempotencyKey?: string;
  createdAfter?: string;
  createdBefore?: string;
  /** Text in payload, result or error (case-insensitive) */
  q?: string;
  limit: number;
  offset: number;
}

export const TASK_COLUMNS = `id, type, payload, priority, status, progress, result, error, attempts,
  max_attempts AS "maxAttempts", run_at AS "runAt", idempotency_key AS "idempotencyKey",
  created_at AS "createdAt", queued_at AS "queuedAt", started_at AS "startedAt",
  finished_at AS "finishedAt", updated_at AS "updatedAt", flow_id AS "flowId", flow_key AS "flowKey",
  group_name AS "group"`;

/** The tasks table: creating tasks with their first message, and reading them. */
@Injectable()
export class TasksRepository {
  constructor(private readonly db: Database) {}

  /**
   * Inserts a task and its outbox message in one statement (so one transaction, one round trip).
   * With an idempotency key already used, inserts nothing and returns null: the unique index
   * settles concurrent races.
   */
  async insertWithMessage(task: NewTask, message: NewOutboxMessage, fast = false): Promise<TaskRow | null> {
    // The request's audit row, in the same statement: only when the task was inserted.
    const audit = commitRowCte({ id: task.id }, 19, 't');
    const rows: TaskRow[] = await this.db.query(
      `WITH t AS (
         INSERT INTO tasks (id, type, payload, priority, status, progress, attempts, max_attempts, run_at,
           idempotency_key, idempotency_fingerprint, group_name, created_at, updated_at, queued_at)
         VALUES ($1, $2, $3, $4, CASE WHEN $18 THEN 'queued' ELSE 'pending' END, 0, CASE WHEN $18 THEN $8 ELSE 0 END,
           $5, $6, $7, $16, $17, now(), now(), CASE WHEN $18 THEN now() END)
         ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING ${TASK_COLUMNS}
       ), o AS (
         INSERT INTO outbox (${OUTBOX_COLUMNS})
         SELECT id, $8, $9, $10, $11, $12, $13, $14, $15, "group" FROM t
       )${audit ? `, ${audit.cte}` : ''}
       SELECT * FROM t`,
      [
        task.id,
        task.type,
        JSON.stringify(task.payload),
        task.priority,
        task.maxAttempts,
        task.runAt,
        task.idempotencyKey,
        message.attempt,
        message.exchange,
        message.routingKey,
        message.messageId,
        message.messageType,
        JSON.stringify(message.body),
        JSON.stringify(message.headers),
        message.availableAt,
        task.idempotencyFingerprint,
        task.group,
        fast,
        ...(audit?.params ?? []),
      ],
    );
    if (!rows[0]) audit?.notWritten(); // an Idempotency-Key repeat: nothing was inserted
    return rows[0] ?? null;
  }

  /**
   * Inserts many tasks and their outbox messages in one statement (inside the caller's transaction,
   * when given); returns them in input order. The rows travel as one JSON document: the driver
   * sends it as it is, where arrays of JSON text would be escaped element by element.
   * `commitRows`: the audit rows of the requests a group commit writes together (instead of the
   * calling request's own).
   */
  async insertMany(items: PreparedTask[], tx: Tx = this.db, commitRows?: CommitRow[]): Promise<TaskRow[]> {
    // Object.assign, not spread: `{ ...record, more }` cost ~10 µs a row in V8.
    const rows = items.map(({ task, message, flow, fast }) =>
      Object.assign(outboxRecord(message), {
        fast: fast === true,
        type: task.type,
        payload: task.payload,
        priority: task.priority,
        max_attempts: task.maxAttempts,
        run_at: task.runAt,
        flow_id: flow?.flowId,
        flow_key: flow?.key,
        waiting_on: flow?.waitingOn,
        on_parent_failure: flow?.onParentFailure,
      }),
    );
    const audit = commitRows ? commitRowsCte(commitRows, 2) : commitRowCte(null, 2);
    const created: { createdAt: Date }[] = await tx.query(
      `WITH x AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${OUTBOX_RECORD}, type text, payload jsonb,
           priority text, max_attempts int, run_at timestamptz, flow_id uuid, flow_key text, waiting_on int,
           on_parent_failure text, fast boolean)
       ), t AS (
         INSERT INTO tasks (id, type, payload, priority, status, progress, attempts, max_attempts, run_at, created_at,
           updated_at, flow_id, flow_key, waiting_on, on_parent_failure, group_name, queued_at)
         SELECT task_id, type, payload, priority,
           CASE WHEN waiting_on > 0 THEN 'waiting' WHEN fast THEN 'queued' ELSE 'pending' END, 0,
           CASE WHEN fast THEN attempt ELSE 0 END, max_attempts, run_at, now(), now(), flow_id, flow_key,
           COALESCE(waiting_on, 0), COALESCE(on_parent_failure, 'cancel'), group_name, CASE WHEN fast THEN now() END
         FROM x
       ), o AS (
         INSERT INTO outbox (${OUTBOX_COLUMNS}) SELECT ${OUTBOX_COLUMNS} FROM x WHERE COALESCE(waiting_on, 0) = 0
       )${audit ? `, ${audit.cte}` : ''}
       SELECT now() AS "createdAt"`,
      [JSON.stringify(rows), ...(audit?.params ?? [])],
    );
    const createdAt = created[0].createdAt;
    return items.map(({ task, flow, fast, message }) =>
      newTaskRow(task, createdAt, flow, fast === true ? (message.attempt ?? 1) : 0),
    );
  }

  async findById(id: string): Promise<TaskRow | null> {
    const rows: TaskRow[] = await this.db.query(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async findByIds(ids: string[]): Promise<TaskRow[]> {
    return this.db.query(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** The task an Idempotency-Key created, with what its request asked for (null before it was kept). */
  async findByIdempotencyKey(key: string): Promise<(TaskRow & { fingerprint: string | null }) | null> {
    const rows: (TaskRow & { fingerprint: string | null })[] = await this.db.query(
      `SELECT ${TASK_COLUMNS}, idempotency_fingerprint AS fingerprint FROM tasks WHERE idempotency_key = $1`,
      [key],
    );
    return rows[0] ?? null;
  }

  async list(filter: TaskFilter): Promise<TaskRow[]> {
    // The text search is added only when asked, so the plans without it stay as they were.
    const search = filter.q === undefined ? '' : TEXT_SEARCH;
    return this.db.query(
      `SELECT ${TASK_COLUMNS} FROM tasks
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR type = $2)
         AND ($5::text IS NULL OR group_name = $5) AND ($6::text IS NULL OR priority = $6)
         AND ($7::text IS NULL OR idempotency_key = $7)
         AND ($8::timestamptz IS NULL OR created_at >= $8) AND ($9::timestamptz IS NULL OR created_at < $9)
         ${search}
       ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`,
      [
        filter.status ?? null,
        filter.type ?? null,
        filter.limit,
        filter.offset,
        filter.group ?? null,
        filter.priority ?? null,
        filter.idempotencyKey ?? null,
        filter.createdAfter ?? null,
        filter.createdBefore ?? null,
        ...(filter.q === undefined ? [] : [`%${filter.q.replace(/[\\%_]/g, '\\$&')}%`]),
      ],
    );
  }

  /**
   * Deletes up to `limit` tasks in `statuses` that finished before `before`, with their attempts
   * (a statement trigger deletes those); a flow's tasks go with their flow. Finished before means
   * created before too, so the created_at index bounds the scan; rows another transaction holds
   * are left for a later pass.
   */
  async deleteFinished(statuses: TaskStatus[], before: Date, limit: number): Promise<number> {
    const { count } = await execute(
      this.db,
      `DELETE FROM tasks WHERE id IN (
         SELECT id FROM tasks
         WHERE created_at < $2 AND status = ANY($1) AND finished_at < $2 AND flow_id IS NULL
         ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED)`,
      [statuses, before, limit],
    );
    return count;
  }

  /**
   * Deletes a finished task with its attempts; false when it is not there, has not finished, or
   * belongs to a flow (a flow's tasks go with their flow).
   */
  async deleteOne(id: string): Promise<boolean> {
    const { count } = await execute(
      this.db,
      `DELETE FROM tasks WHERE id = $1 AND status IN ('succeeded', 'failed', 'cancelled', 'dead') AND flow_id IS NULL`,
      [id],
    );
    return count > 0;
  }

  /** A flow's tasks in the order they were submitted (their UUID v7 ids are time-ordered). */
  async findByFlow(flowId: string): Promise<(TaskRow & { onParentFailure: 'cancel' | 'ignore' })[]> {
    return this.db.query(
      `SELECT ${TASK_COLUMNS}, on_parent_failure AS "onParentFailure" FROM tasks WHERE flow_id = $1 ORDER BY id`,
      [flowId],
    );
  }

  /** How many tasks of each of these flows are in each status. */
  async countByFlowAndStatus(
    flowIds: string[],
  ): Promise<{ flowId: string; status: TaskStatus; n: number }[]> {
    return this.db.query(
      `SELECT flow_id AS "flowId", status, count(*)::int AS n FROM tasks WHERE flow_id = ANY($1::uuid[])
       GROUP BY flow_id, status`,
      [flowIds],
    );
  }

  async countByTypeAndStatus(): Promise<{ type: string; status: TaskStatus; n: number }[]> {
    return this.db.query(`SELECT type, status, count(*)::int AS n FROM tasks GROUP BY type, status`);
  }
}
