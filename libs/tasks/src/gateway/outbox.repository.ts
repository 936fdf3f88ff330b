import { Injectable } from '@nestjs/common';
import { Database, Tx } from '@conveyor/db';
import { TERMINAL_STATUSES, sourcesOf } from '@conveyor/contracts';

/** A message to publish, written in the same transaction as the change it announces. */
export interface NewOutboxMessage {
  taskId: string | null;
  attempt: number | null;
  exchange: string;
  routingKey: string;
  messageId: string;
  messageType: string;
  body: unknown;
  headers: Record<string, unknown>;
  availableAt: Date;
}

/** An outbox row claimed for publishing; its body is the JSON text as stored, sent on untouched. */
export type ClaimedMessage = Omit<NewOutboxMessage, 'body' | 'availableAt'> & { id: string; body: string };

/** The outbox columns a new message fills, and their types as a jsonb_to_recordset record. */
export const OUTBOX_COLUMNS = `task_id, attempt, exchange, routing_key, message_id, message_type, body, headers, available_at`;
export const OUTBOX_RECORD = `task_id uuid, attempt int, exchange text, routing_key text, message_id text, message_type text,
  body jsonb, headers jsonb, available_at timestamptz`;

/** An outbox message as a JSON record for jsonb_to_recordset (typed by OUTBOX_RECORD). */
export function outboxRecord(x: NewOutboxMessage) {
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

/** The outbox table: what the relay claims, publishes and removes. Locks outbox rows before tasks rows. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly db: Database) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async insert(tx: Tx, messages: NewOutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await tx.query(
      `INSERT INTO outbox (${OUTBOX_COLUMNS})
       SELECT ${OUTBOX_COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(${OUTBOX_RECORD})`,
      [JSON.stringify(messages.map(outboxRecord))],
    );
  }

  /** Locks due outbox rows; other relays skip them, so several gateways can run side by side. */
  async claimDue(tx: Tx, limit: number): Promise<ClaimedMessage[]> {
    // The high lane first, so a backlog of normal work never delays it on the way to the broker.
    const high = await this.claim(tx, `AND routing_key LIKE 'task.high.%'`, limit);
    if (high.length === limit) return high;
    const rest = await this.claim(tx, `AND routing_key NOT LIKE 'task.high.%'`, limit - high.length);
    return [...high, ...rest];
  }

  private claim(tx: Tx, lane: string, limit: number): Promise<ClaimedMessage[]> {
    return tx.query(
      `SELECT id, task_id AS "taskId", attempt, exchange, routing_key AS "routingKey",
         message_id AS "messageId", message_type AS "messageType", body::text AS body, headers
       FROM outbox WHERE available_at <= now() ${lane}
       ORDER BY available_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  /** Removes published rows and moves their tasks to `queued` where the state machine allows it. */
  async markPublished(tx: Tx, sent: ClaimedMessage[]): Promise<void> {
    if (sent.length === 0) return;
    await tx.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [sent.map((r) => r.id)]);
    const tasks = sent.filter((r) => r.taskId !== null);
    if (tasks.length === 0) return;
    // queued_at records the confirm even when a worker's report already overtook it (the message
    // was confirmed before it could run), so never later than a finish already recorded.
    await tx.query(
      `UPDATE tasks t SET updated_at = now(),
         queued_at = COALESCE(t.queued_at, CASE WHEN t.status = ANY($4) THEN LEAST(now(), t.finished_at) ELSE now() END),
         status = CASE WHEN t.status = ANY($3) THEN 'queued' ELSE t.status END,
         attempts = GREATEST(t.attempts, o.attempt)
       FROM unnest($1::uuid[], $2::int[]) AS o(id, attempt)
       WHERE t.id = o.id`,
      [tasks.map((r) => r.taskId), tasks.map((r) => r.attempt ?? 1), sourcesOf('queued'), TERMINAL_STATUSES],
    );
  }

  async backlog(): Promise<number> {
    const rows: { n: string }[] = await this.db.query(`SELECT count(*) AS n FROM outbox`);
    return Number(rows[0]?.n ?? 0);
  }
}
