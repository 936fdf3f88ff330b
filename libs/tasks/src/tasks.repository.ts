import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  Priority,
  TASK_STATUSES,
  TRANSITIONS,
  TaskErrorInfo,
  TaskStatus,
  sourcesOf,
} from '@conveyor/contracts';
import { FoldedReport } from './report-fold';
import type { TaskIdentity } from './task-message';
import type { TaskAttemptDto } from './tasks.dto';
import { OutboxEntity } from './outbox.entity';
import { TaskEntity } from './task.entity';

export interface NewTask {
  id: string;
  type: string;
  payload: unknown;
  priority: Priority;
  maxAttempts: number;
  runAt: Date;
  idempotencyKey: string | null;
}

export type NewOutboxMessage = Pick<
  OutboxEntity,
  | 'taskId'
  | 'attempt'
  | 'exchange'
  | 'routingKey'
  | 'messageId'
  | 'messageType'
  | 'body'
  | 'headers'
  | 'availableAt'
>;

/** An outbox row claimed for publishing; its body is the JSON text as stored, sent on untouched. */
export type ClaimedMessage = Pick<
  OutboxEntity,
  'id' | 'taskId' | 'attempt' | 'exchange' | 'routingKey' | 'messageId' | 'messageType' | 'headers'
> & { body: string };

export interface PreparedTask {
  task: NewTask;
  message: NewOutboxMessage;
}

interface AppliedRow extends TaskIdentity {
  status: TaskStatus;
  /** Set for a row the batch made `succeeded`. */
  result: unknown;
  attempts: number;
  runAt: Date;
}

export interface AppliedReports {
  changed: number;
  /** Tasks this batch made `succeeded` (each exactly once, however often its report came). */
  succeeded: AppliedRow[];
  /** Tasks that became `retrying`: `attempts` is the attempt to publish at `runAt`. */
  retries: AppliedRow[];
}

export interface TaskFilter {
  status?: TaskStatus;
  type?: string;
  limit: number;
  offset: number;
}

/** The schema's ceiling on attempts (tasks_max_attempts_ck). */
export const MAX_ATTEMPTS = 20;

/** Every legal `from>to` pair, for guards inside set-based UPDATEs. */
const LEGAL_TRANSITIONS = TASK_STATUSES.flatMap((from) => TRANSITIONS[from].map((to) => `${from}>${to}`));

/** The outbox columns a new message fills, and their types as a jsonb_to_recordset record. */
const OUTBOX_COLUMNS = `task_id, attempt, exchange, routing_key, message_id, message_type, body, headers, available_at`;
const OUTBOX_RECORD = `task_id uuid, attempt int, exchange text, routing_key text, message_id text, message_type text,
  body jsonb, headers jsonb, available_at timestamptz`;

/** The tasks of ID batch $1 (the predicate of the tasks_batch_ix index). */
const OF_BATCH = `type = 'user.process' AND payload ->> 'batchId' = $1`;

const TASK_COLUMNS = `id, type, payload, priority, status, progress, result, error, attempts,
  max_attempts AS "maxAttempts", run_at AS "runAt", idempotency_key AS "idempotencyKey",
  created_at AS "createdAt", queued_at AS "queuedAt", started_at AS "startedAt",
  finished_at AS "finishedAt", updated_at AS "updatedAt"`;

/** Every SQL statement about tasks and their outbox. Status changes are guarded by the state machine. */
@Injectable()
export class TasksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /**
   * Inserts a task and its outbox message in one statement (so one transaction, one round trip).
   * With an idempotency key already used, inserts nothing and returns null: the unique index
   * settles concurrent races.
   */
  async insertWithMessage(task: NewTask, message: NewOutboxMessage): Promise<TaskEntity | null> {
    const rows: TaskEntity[] = await this.db.query(
      `WITH t AS (
         INSERT INTO tasks (id, type, payload, priority, status, progress, attempts, max_attempts, run_at,
           idempotency_key, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'pending', 0, 0, $5, $6, $7, now(), now())
         ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
         RETURNING ${TASK_COLUMNS}
       ), o AS (
         INSERT INTO outbox (task_id, attempt, exchange, routing_key, message_id, message_type, body, headers, available_at)
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
  async insertMany(items: PreparedTask[], within?: EntityManager): Promise<TaskEntity[]> {
    const rows = items.map(({ task, message }) => ({
      ...outboxRecord(message),
      type: task.type,
      payload: task.payload,
      priority: task.priority,
      max_attempts: task.maxAttempts,
      run_at: task.runAt,
    }));
    const created: { createdAt: Date }[] = await (within ?? this.db.manager).query(
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

  async insertOutbox(m: EntityManager, messages: NewOutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await m.query(
      `INSERT INTO outbox (${OUTBOX_COLUMNS})
       SELECT ${OUTBOX_COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(${OUTBOX_RECORD})`,
      [JSON.stringify(messages.map(outboxRecord))],
    );
  }

  async findById(id: string): Promise<TaskEntity | null> {
    const rows: TaskEntity[] = await this.db.query(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async findByIds(ids: string[]): Promise<TaskEntity[]> {
    return this.db.query(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async findByIdempotencyKey(key: string): Promise<TaskEntity | null> {
    const rows: TaskEntity[] = await this.db.query(
      `SELECT ${TASK_COLUMNS} FROM tasks WHERE idempotency_key = $1`,
      [key],
    );
    return rows[0] ?? null;
  }

  async list(filter: TaskFilter): Promise<TaskEntity[]> {
    return this.db.query(
      `SELECT ${TASK_COLUMNS} FROM tasks
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR type = $2)
       ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`,
      [filter.status ?? null, filter.type ?? null, filter.limit, filter.offset],
    );
  }

  /** Cancels a task that may still be cancelled, and drops its unpublished messages. */
  async cancel(id: string): Promise<TaskEntity | null> {
    return this.db
      .transaction(async (m) => {
        // Outbox rows first, then the task: the relay locks in that order too, so the two never deadlock.
        await m.query(
          `DELETE FROM outbox WHERE task_id = $1
           AND EXISTS (SELECT 1 FROM tasks WHERE id = $1 AND status = ANY($2))`,
          [id, sourcesOf('cancelled')],
        );
        const { rows } = await update<TaskEntity>(
          m,
          `UPDATE tasks SET status = 'cancelled', finished_at = now(), updated_at = now()
         WHERE id = $1 AND status = ANY($2) RETURNING ${TASK_COLUMNS}`,
          [id, sourcesOf('cancelled')],
        );
        if (!rows[0]) throw new NothingToCancel();
        return rows[0];
      })
      .catch((err: unknown) => {
        if (err instanceof NothingToCancel) return null; // rolled back: its outbox rows stay
        throw err;
      });
  }

  /**
   * Makes a failed, dead or cancelled task pending again with its next attempt number and that
   * attempt's outbox message, in one transaction. Returns null when the task cannot be rerun.
   */
  async rerun(id: string, message: (task: TaskEntity) => NewOutboxMessage): Promise<TaskEntity | null> {
    return this.db.transaction(async (m) => {
      const { rows } = await update<TaskEntity>(
        m,
        `UPDATE tasks SET status = 'pending', attempts = attempts + 1, max_attempts = GREATEST(max_attempts, attempts + 1),
           result = NULL, error = NULL, progress = 0, queued_at = NULL, started_at = NULL, finished_at = NULL,
           run_at = now(), updated_at = now()
         WHERE id = $1 AND status = ANY($2) AND attempts < $3 RETURNING ${TASK_COLUMNS}`,
        [id, sourcesOf('pending'), MAX_ATTEMPTS],
      );
      const task = rows[0];
      if (task) await this.insertOutbox(m, [message(task)]);
      return task ?? null;
    });
  }

  /** How many tasks of an ID batch are in each status. */
  async batchStatusCounts(batchId: string): Promise<{ status: TaskStatus; n: number }[]> {
    return this.db.query(
      `SELECT status, count(*)::int AS n FROM tasks
       WHERE ${OF_BATCH} GROUP BY status`,
      [batchId],
    );
  }

  /** The tasks of an ID batch by slot of its window: per slot, the count and one page of user IDs. */
  async batchSlots(
    batchId: string,
    windowStart: Date,
    slotMs: number,
    page: { limit: number; offset: number },
  ): Promise<{ slot: number; count: number; ids: number[] }[]> {
    return this.db.query(
      `SELECT slot, count(*)::int AS count, (array_agg(user_id ORDER BY run_at, user_id))[$4 + 1 : $4 + $5] AS ids
       FROM (
         SELECT floor(extract(epoch FROM run_at - $2::timestamptz) * 1000 / $3)::int AS slot,
           (payload ->> 'userId')::int AS user_id, run_at
         FROM tasks WHERE ${OF_BATCH} AND status <> 'cancelled'
       ) x GROUP BY slot ORDER BY slot`,
      [batchId, windowStart, slotMs, page.offset, page.limit],
    );
  }

  /** One page of an ID batch's pending tasks, in batch order, after a batch index. */
  async pendingOfBatch(
    m: EntityManager,
    batchId: string,
    afterIndex: number,
    limit: number,
  ): Promise<{ id: string; batchIndex: number }[]> {
    return m.query(
      `SELECT id, (payload ->> 'batchIndex')::int AS "batchIndex" FROM tasks
       WHERE ${OF_BATCH} AND status = 'pending'
         AND (payload ->> 'batchIndex')::int > $2
       ORDER BY (payload ->> 'batchIndex')::int LIMIT $3 FOR UPDATE`,
      [batchId, afterIndex, limit],
    );
  }

  async countPendingOfBatch(m: EntityManager, batchId: string): Promise<number> {
    const rows: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM tasks WHERE ${OF_BATCH} AND status = 'pending'`,
      [batchId],
    );
    return rows[0]?.n ?? 0;
  }

  /** Moves pending tasks (and their unpublished first messages) to new times. */
  async reschedule(m: EntityManager, ids: string[], runAts: Date[]): Promise<void> {
    if (ids.length === 0) return;
    // Outbox rows first, then tasks: the relay's lock order.
    await m.query(
      `UPDATE outbox o SET available_at = x.run_at FROM unnest($1::uuid[], $2::timestamptz[]) AS x(id, run_at)
       WHERE o.task_id = x.id`,
      [ids, runAts],
    );
    await m.query(
      `UPDATE tasks t SET run_at = x.run_at, updated_at = now() FROM unnest($1::uuid[], $2::timestamptz[]) AS x(id, run_at)
       WHERE t.id = x.id AND t.status = 'pending'`,
      [ids, runAts],
    );
  }

  /** Cancels the tasks of an ID batch that have not started (pending or queued); returns their ids. */
  async cancelBatch(m: EntityManager, batchId: string): Promise<string[]> {
    await m.query(
      `DELETE FROM outbox WHERE task_id IN (SELECT id FROM tasks
         WHERE ${OF_BATCH} AND status IN ('pending', 'queued'))`,
      [batchId],
    );
    const { rows } = await update<{ id: string }>(
      m,
      `UPDATE tasks SET status = 'cancelled', finished_at = now(), updated_at = now()
       WHERE ${OF_BATCH} AND status IN ('pending', 'queued') RETURNING id`,
      [batchId],
    );
    return rows.map((r) => r.id);
  }

  /** Locks due outbox rows; other relays skip them, so several gateways can run side by side. */
  async claimDue(m: EntityManager, limit: number): Promise<ClaimedMessage[]> {
    // The high lane first, so a backlog of normal work never delays it on the way to the broker.
    const high = await this.claim(m, `AND routing_key LIKE 'task.high.%'`, limit);
    if (high.length === limit) return high;
    const rest = await this.claim(m, `AND routing_key NOT LIKE 'task.high.%'`, limit - high.length);
    return [...high, ...rest];
  }

  private claim(m: EntityManager, lane: string, limit: number): Promise<ClaimedMessage[]> {
    return m.query(
      `SELECT id, task_id AS "taskId", attempt, exchange, routing_key AS "routingKey",
         message_id AS "messageId", message_type AS "messageType", body::text AS body, headers
       FROM outbox WHERE available_at <= now() ${lane}
       ORDER BY available_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  /** Removes published rows and moves their tasks to `queued` where the state machine allows it. */
  async markPublished(m: EntityManager, sent: ClaimedMessage[]): Promise<void> {
    if (sent.length === 0) return;
    await m.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [sent.map((r) => r.id)]);
    const tasks = sent.filter((r) => r.taskId !== null);
    if (tasks.length === 0) return;
    // queued_at records the confirm even when a worker's report already overtook it.
    await m.query(
      `UPDATE tasks t SET queued_at = COALESCE(t.queued_at, now()), updated_at = now(),
         status = CASE WHEN t.status = ANY($3) THEN 'queued' ELSE t.status END,
         attempts = GREATEST(t.attempts, o.attempt)
       FROM unnest($1::uuid[], $2::int[]) AS o(id, attempt)
       WHERE t.id = o.id`,
      [tasks.map((r) => r.taskId), tasks.map((r) => r.attempt ?? 1), sourcesOf('queued')],
    );
  }

  async countByTypeAndStatus(): Promise<{ type: string; status: TaskStatus; n: number }[]> {
    return this.db.query(`SELECT type, status, count(*)::int AS n FROM tasks GROUP BY type, status`);
  }

  async outboxBacklog(): Promise<number> {
    const rows: { n: string }[] = await this.db.query(`SELECT count(*) AS n FROM outbox`);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Applies a batch of worker reports (folded to one per task) in one guarded UPDATE. A report
   * changes a task only along a legal transition and never for an attempt older than the
   * task's; duplicates and late reports therefore change nothing. A retryable failure with
   * attempts left becomes `retrying`, due after its delay, and `attempts` moves to the next
   * attempt at once, so a duplicate of the failure cannot schedule a second retry.
   */
  async applyReports(
    m: EntityManager,
    reports: FoldedReport[],
    retryDelaysMs: number[],
  ): Promise<AppliedReports> {
    if (reports.length === 0) return { changed: 0, succeeded: [], retries: [] };
    const { rows } = await update<AppliedRow>(
      m,
      `UPDATE tasks t SET
         status = v.next,
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
       FROM (
         SELECT x.*, CASE
             WHEN x.status = 'failed' AND COALESCE((x.error ->> 'retryable')::boolean, false)
               AND x.attempt < c.max_attempts THEN 'retrying'
             ELSE x.status END AS next
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, status text, attempt int, at timestamptz,
           started_at timestamptz, result jsonb, error jsonb, delay_ms int, progress int)
         JOIN tasks c ON c.id = x.id
       ) v
       WHERE t.id = v.id AND t.attempts <= v.attempt AND ((t.status || '>' || v.next) = ANY($2)
         -- progress of the running attempt: only forward
         OR (t.status = 'running' AND v.next = 'running' AND v.progress > t.progress))
       RETURNING t.id, t.type, t.priority, t.payload, t.status, t.attempts, t.run_at AS "runAt",
         CASE WHEN t.status = 'succeeded' THEN t.result END AS result`,
      [
        JSON.stringify(
          reports.map((r, i) => ({
            id: r.taskId,
            status: r.status,
            attempt: r.attempt,
            at: r.at,
            started_at: r.startedAt,
            result: r.result ?? null,
            error: r.error,
            delay_ms: retryDelaysMs[i],
            progress: r.progress,
          })),
        ),
        LEGAL_TRANSITIONS,
      ],
    );
    return {
      changed: rows.length,
      succeeded: rows.filter((r) => r.status === 'succeeded'),
      retries: rows.filter((r) => r.status === 'retrying'),
    };
  }

  /** Records what each report says about its attempt; repeating a report changes nothing. */
  async recordAttempts(m: EntityManager, reports: FoldedReport[]): Promise<void> {
    if (reports.length === 0) return;
    await m.query(
      `INSERT INTO task_attempts (task_id, attempt, status, started_at, finished_at, error)
       SELECT x.id, x.attempt, x.status, CASE WHEN x.status = 'running' THEN x.at ELSE x.started_at END,
         CASE WHEN x.status = 'running' THEN NULL ELSE x.at END, x.error
       FROM jsonb_to_recordset($1::jsonb)
         AS x(id uuid, attempt int, status text, at timestamptz, started_at timestamptz, error jsonb)
       WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.id = x.id)
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
      ],
    );
  }

  async attemptsOf(id: string): Promise<TaskAttemptDto[]> {
    return this.db.query(
      `SELECT attempt, status, started_at AS "startedAt", finished_at AS "finishedAt", error
       FROM task_attempts WHERE task_id = $1 ORDER BY attempt`,
      [id],
    );
  }

  /** The attempt counters of a task, locked until the transaction ends. */
  async lockAttempts(
    m: EntityManager,
    id: string,
  ): Promise<{ attempts: number; maxAttempts: number } | null> {
    const rows: { attempts: number; maxAttempts: number }[] = await m.query(
      `SELECT attempts, max_attempts AS "maxAttempts" FROM tasks WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Marks a dead-lettered task `dead` unless it already finished or a newer attempt took over. */
  async markDead(
    id: string,
    attempt: number,
    error: TaskErrorInfo,
    m: EntityManager = this.db.manager,
  ): Promise<boolean> {
    const { count } = await update(
      m,
      `UPDATE tasks SET status = 'dead', error = $2, finished_at = now(), updated_at = now()
       WHERE id = $1 AND status = ANY($3) AND attempts <= $4`,
      [id, JSON.stringify(error), sourcesOf('dead'), attempt],
    );
    return count > 0;
  }
}

/** An outbox message as a JSON record for jsonb_to_recordset (typed by OUTBOX_RECORD). */
function outboxRecord(x: NewOutboxMessage) {
  return {
    task_id: x.taskId,
    attempt: x.attempt,
    exchange: x.exchange,
    routing_key: x.routingKey,
    message_id: x.messageId,
    message_type: x.messageType,
    body: x.body,
    headers: x.headers,
    available_at: x.availableAt,
  };
}

/** A task as the insert above stores it: what the row holds before anything happened to it. */
function pendingTask(task: NewTask, createdAt: Date): TaskEntity {
  return {
    id: task.id,
    type: task.type,
    payload: task.payload,
    priority: task.priority,
    status: 'pending',
    progress: 0,
    result: null,
    error: null,
    attempts: 0,
    maxAttempts: task.maxAttempts,
    runAt: task.runAt,
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

/** TypeORM's query() answers UPDATE and DELETE with [rows, affected]; this names the two parts. */
async function update<T>(
  m: EntityManager,
  sql: string,
  params: unknown[],
): Promise<{ rows: T[]; count: number }> {
  const [rows, count] = await m.query<[T[], number]>(sql, params);
  return { rows, count };
}
