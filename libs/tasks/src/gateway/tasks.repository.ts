import { Injectable } from '@nestjs/common';
import { Database, Tx, execute } from '@conveyor/db';
import { Priority, TaskErrorInfo, TaskStatus, sourcesOf } from '@conveyor/contracts';
import {
  NewOutboxMessage,
  OUTBOX_COLUMNS,
  OUTBOX_RECORD,
  OutboxRepository,
  outboxRecord,
} from './outbox.repository';

/** A row of the tasks table as this repository reads it. Services map it to the API's TaskResponseDto. */
export interface TaskRow {
  id: string;
  type: string;
  payload: unknown;
  priority: Priority;
  status: TaskStatus;
  progress: number;
  result: unknown;
  error: TaskErrorInfo | null;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  idempotencyKey: string | null;
  createdAt: Date;
  queuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

export interface NewTask {
  id: string;
  type: string;
  payload: unknown;
  priority: Priority;
  maxAttempts: number;
  runAt: Date;
  idempotencyKey: string | null;
}

export interface PreparedTask {
  task: NewTask;
  message: NewOutboxMessage;
}

export interface TaskFilter {
  status?: TaskStatus;
  type?: string;
  limit: number;
  offset: number;
}

/** The schema's ceiling on attempts (tasks_max_attempts_ck). */
export const MAX_ATTEMPTS = 20;

const TASK_COLUMNS = `id, type, payload, priority, status, progress, result, error, attempts,
  max_attempts AS "maxAttempts", run_at AS "runAt", idempotency_key AS "idempotencyKey",
  created_at AS "createdAt", queued_at AS "queuedAt", started_at AS "startedAt",
  finished_at AS "finishedAt", updated_at AS "updatedAt"`;

/**
 * The tasks table: creating tasks with their first message, reading them, and the changes a
 * client asks for. Status changes are guarded by the state machine; where a change also touches
 * the outbox, outbox rows are locked first, in the relay's order, so the two never deadlock.
 */
@Injectable()
export class TasksRepository {
  constructor(
    private readonly db: Database,
    private readonly outbox: OutboxRepository,
  ) {}

  /**
   * Inserts a task and its outbox message in one statement (so one transaction, one round trip).
   * With an idempotency key already used, inserts nothing and returns null: the unique index
   * settles concurrent races.
   */
  async insertWithMessage(task: NewTask, message: NewOutboxMessage): Promise<TaskRow | null> {
    const rows: TaskRow[] = await this.db.query(
      `WITH t AS (
         INSERT INTO tasks (id, type, payload, priority, status, progress, attempts, max_attempts, run_at,
           idempotency_key, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'pending', 0, 0, $5, $6, $7, now(), now())
         ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING ${TASK_COLUMNS}
       ), o AS (
         INSERT INTO outbox (${OUTBOX_COLUMNS})
         SELECT id, $8, $9, $10, $11, $12, $13, $14, $15 FROM t
       )
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
      ],
    );
    return rows[0] ?? null;
  }

  /**
   * Inserts many tasks and their outbox messages in one statement (inside the caller's transaction,
   * when given); returns them in input order. The rows travel as one JSON document: the driver
   * sends it as it is, where arrays of JSON text would be escaped element by element.
   */
  async insertMany(items: PreparedTask[], tx: Tx = this.db): Promise<TaskRow[]> {
    const rows = items.map(({ task, message }) => ({
      ...outboxRecord(message),
      type: task.type,
      payload: task.payload,
      priority: task.priority,
      max_attempts: task.maxAttempts,
      run_at: task.runAt,
    }));
    const created: { createdAt: Date }[] = await tx.query(
      `WITH x AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${OUTBOX_RECORD}, type text, payload jsonb,
           priority text, max_attempts int, run_at timestamptz)
       ), t AS (
         INSERT INTO tasks (id, type, payload, priority, status, progress, attempts, max_attempts, run_at, created_at, updated_at)
         SELECT task_id, type, payload, priority, 'pending', 0, 0, max_attempts, run_at, now(), now() FROM x
       ), o AS (
         INSERT INTO outbox (${OUTBOX_COLUMNS}) SELECT ${OUTBOX_COLUMNS} FROM x
       )
       SELECT now() AS "createdAt"`,
      [JSON.stringify(rows)],
    );
    const createdAt = created[0].createdAt;
    return items.map(({ task }) => pendingTask(task, createdAt));
  }

  async findById(id: string): Promise<TaskRow | null> {
    const rows: TaskRow[] = await this.db.query(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async findByIds(ids: string[]): Promise<TaskRow[]> {
    return this.db.query(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async findByIdempotencyKey(key: string): Promise<TaskRow | null> {
    const rows: TaskRow[] = await this.db.query(
      `SELECT ${TASK_COLUMNS} FROM tasks WHERE idempotency_key = $1`,
      [key],
    );
    return rows[0] ?? null;
  }

  async list(filter: TaskFilter): Promise<TaskRow[]> {
    return this.db.query(
      `SELECT ${TASK_COLUMNS} FROM tasks
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR type = $2)
       ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`,
      [filter.status ?? null, filter.type ?? null, filter.limit, filter.offset],
    );
  }

  /** Cancels a task that may still be cancelled, and drops its unpublished messages. */
  async cancel(id: string): Promise<TaskRow | null> {
    return this.db
      .transaction(async (tx) => {
        const [row] = await this.cancelWhere(tx, `id = $1`, [id], TASK_COLUMNS);
        if (!row) throw new NothingToCancel();
        return row as TaskRow;
      })
      .catch((err: unknown) => {
        if (err instanceof NothingToCancel) return null; // rolled back: its outbox rows stay
        throw err;
      });
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
   * attempt's outbox message, in one transaction. Returns null when the task cannot be rerun.
   */
  async rerun(id: string, message: (task: TaskRow) => NewOutboxMessage): Promise<TaskRow | null> {
    return this.db.transaction(async (tx) => {
      const { rows } = await execute<TaskRow>(
        tx,
        `UPDATE tasks SET status = 'pending', attempts = attempts + 1, max_attempts = GREATEST(max_attempts, attempts + 1),
           result = NULL, error = NULL, progress = 0, queued_at = NULL, started_at = NULL, finished_at = NULL,
           run_at = now(), updated_at = now()
         WHERE id = $1 AND status = ANY($2) AND attempts < $3 RETURNING ${TASK_COLUMNS}`,
        [id, sourcesOf('pending'), MAX_ATTEMPTS],
      );
      const task = rows[0];
      if (task) await this.outbox.insert(tx, [message(task)]);
      return task ?? null;
    });
  }

  /** Marks a dead-lettered task `dead` unless it already finished or a newer attempt took over. */
  async markDead(id: string, attempt: number, error: TaskErrorInfo, tx: Tx = this.db): Promise<boolean> {
    const { count } = await execute(
      tx,
      `UPDATE tasks SET status = 'dead', error = $2, finished_at = now(), updated_at = now()
       WHERE id = $1 AND status = ANY($3) AND attempts <= $4`,
      [id, JSON.stringify(error), sourcesOf('dead'), attempt],
    );
    return count > 0;
  }

  async countByTypeAndStatus(): Promise<{ type: string; status: TaskStatus; n: number }[]> {
    return this.db.query(`SELECT type, status, count(*)::int AS n FROM tasks GROUP BY type, status`);
  }
}

/** A task as the insert above stores it: what the row holds before anything happened to it. */
function pendingTask(task: NewTask, createdAt: Date): TaskRow {
  return {
    ...task,
    status: 'pending',
    progress: 0,
    result: null,
    error: null,
    attempts: 0,
    idempotencyKey: null,
    createdAt,
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    updatedAt: createdAt,
  };
}

/** Rolls back a cancel that found the task already finished, so its deleted outbox rows return. */
class NothingToCancel extends Error {}
