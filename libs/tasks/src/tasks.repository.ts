import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Priority, StatusMessage, TaskErrorInfo, TaskStatus, sourcesOf } from '@conveyor/contracts';
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

export interface TaskFilter {
  status?: TaskStatus;
  type?: string;
  limit: number;
  offset: number;
}

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
   * Inserts a task and its outbox message in the caller's transaction. With an idempotency key
   * already used, inserts nothing and returns null (the unique index settles concurrent races).
   */
  async insert(m: EntityManager, task: NewTask): Promise<TaskEntity | null> {
    const rows: TaskEntity[] = await m.query(
      `INSERT INTO tasks (id, type, payload, priority, status, progress, attempts, max_attempts, run_at,
         idempotency_key, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'pending', 0, 0, $5, $6, $7, now(), now())
       ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING ${TASK_COLUMNS}`,
      [
        task.id,
        task.type,
        JSON.stringify(task.payload),
        task.priority,
        task.maxAttempts,
        task.runAt,
        task.idempotencyKey,
      ],
    );
    return rows[0] ?? null;
  }

  async insertOutbox(m: EntityManager, messages: NewOutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await m.query(
      `INSERT INTO outbox (task_id, attempt, exchange, routing_key, message_id, message_type, body, headers, available_at)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::jsonb[], $9::timestamptz[])`,
      [
        messages.map((x) => x.taskId),
        messages.map((x) => x.attempt),
        messages.map((x) => x.exchange),
        messages.map((x) => x.routingKey),
        messages.map((x) => x.messageId),
        messages.map((x) => x.messageType),
        messages.map((x) => JSON.stringify(x.body)),
        messages.map((x) => JSON.stringify(x.headers)),
        messages.map((x) => x.availableAt),
      ],
    );
  }

  async findById(id: string): Promise<TaskEntity | null> {
    const rows: TaskEntity[] = await this.db.query(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1`, [id]);
    return rows[0] ?? null;
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
    return this.db.transaction(async (m) => {
      const { rows } = await update<TaskEntity>(
        m,
        `UPDATE tasks SET status = 'cancelled', finished_at = now(), updated_at = now()
         WHERE id = $1 AND status = ANY($2) RETURNING ${TASK_COLUMNS}`,
        [id, sourcesOf('cancelled')],
      );
      if (rows[0]) await m.query(`DELETE FROM outbox WHERE task_id = $1`, [id]);
      return rows[0] ?? null;
    });
  }

  /** Locks due outbox rows; other relays skip them, so several gateways can run side by side. */
  async claimDue(m: EntityManager, limit: number): Promise<OutboxEntity[]> {
    return m.query(
      `SELECT id, task_id AS "taskId", attempt, exchange, routing_key AS "routingKey",
         message_id AS "messageId", message_type AS "messageType", body, headers
       FROM outbox WHERE available_at <= now()
       ORDER BY available_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  /** Removes published rows and moves their tasks to `queued` (only from a status that allows it). */
  async markPublished(m: EntityManager, sent: OutboxEntity[]): Promise<void> {
    if (sent.length === 0) return;
    await m.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [sent.map((r) => r.id)]);
    const tasks = sent.filter((r) => r.taskId !== null);
    if (tasks.length === 0) return;
    await m.query(
      `UPDATE tasks t SET status = 'queued', queued_at = now(), updated_at = now(),
         attempts = GREATEST(t.attempts, o.attempt)
       FROM unnest($1::uuid[], $2::int[]) AS o(id, attempt)
       WHERE t.id = o.id AND t.status = ANY($3)`,
      [tasks.map((r) => r.taskId), tasks.map((r) => r.attempt ?? 1), sourcesOf('queued')],
    );
  }

  async outboxBacklog(): Promise<number> {
    const rows: { n: string }[] = await this.db.query(`SELECT count(*) AS n FROM outbox`);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Applies one worker report as one guarded UPDATE; returns whether it changed the task. A
   * duplicate, a report of an older attempt or one that would move the task backwards changes nothing.
   */
  async applyStatus(m: EntityManager, s: StatusMessage): Promise<boolean> {
    const at = new Date(s.at);
    switch (s.status) {
      case 'running':
        return this.changed(
          m,
          `UPDATE tasks SET status = 'running', started_at = $2, attempts = GREATEST(attempts, $3), updated_at = now()
             WHERE id = $1 AND status = ANY($4) AND attempts <= $3`,
          [s.taskId, at, s.attempt, sourcesOf('running')],
        );
      case 'succeeded':
        return this.changed(
          m,
          `UPDATE tasks SET status = 'succeeded', result = $2, error = NULL, progress = 100,
               started_at = COALESCE(started_at, $3), finished_at = $3, attempts = GREATEST(attempts, $4), updated_at = now()
             WHERE id = $1 AND status = ANY($5) AND attempts <= $4`,
          [s.taskId, JSON.stringify(s.result ?? null), at, s.attempt, sourcesOf('succeeded')],
        );
      case 'failed':
        return this.finishWithError(m, s.taskId, 'failed', s.error ?? unknownError(), at, s.attempt);
    }
  }

  /** Marks a dead-lettered task `dead` unless it already finished. */
  async markDead(m: EntityManager, id: string, error: TaskErrorInfo): Promise<boolean> {
    return this.finishWithError(m, id, 'dead', error, new Date(), null);
  }

  private finishWithError(
    m: EntityManager,
    id: string,
    status: 'failed' | 'dead',
    error: TaskErrorInfo,
    at: Date,
    attempt: number | null,
  ): Promise<boolean> {
    return this.changed(
      m,
      `UPDATE tasks SET status = $2, error = $3, finished_at = $4,
           attempts = GREATEST(attempts, COALESCE($5, attempts)), updated_at = now()
         WHERE id = $1 AND status = ANY($6) AND ($5::int IS NULL OR attempts <= $5)`,
      [id, status, JSON.stringify(error), at, attempt, sourcesOf(status)],
    );
  }

  private async changed(m: EntityManager, sql: string, params: unknown[]): Promise<boolean> {
    return (await update(m, sql, params)).count > 0;
  }
}

/** TypeORM's query() answers UPDATE and DELETE with [rows, affected]; this names the two parts. */
async function update<T>(
  m: EntityManager,
  sql: string,
  params: unknown[],
): Promise<{ rows: T[]; count: number }> {
  const [rows, count] = await m.query<[T[], number]>(sql, params);
  return { rows, count };
}

function unknownError(): TaskErrorInfo {
  return { message: 'the worker reported no error details', code: 'UNKNOWN', retryable: false };
}
