import { Injectable } from '@nestjs/common';
import { Database, Tx } from '@conveyor/db';
import { sourcesOf } from '@conveyor/contracts';

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
  /** A grouped task's message waits here until its group's limits let the relay publish it. */
  group: string | null;
}

/** An outbox row claimed for publishing; its body is the JSON text as stored, sent on untouched. */
export type ClaimedMessage = Omit<NewOutboxMessage, 'body' | 'availableAt' | 'group'> & {
  id: string;
  body: string;
  /** Set by the group dispatch for a rate-limited group: the worker-side limit it travels with. */
  groupRate?: string;
};

/** How the lanes share a claim when both have more due than fits (high:normal). */
export interface LaneWeights {
  highWeight: number;
  normalWeight: number;
}

const HIGH_LANE = `routing_key LIKE 'task.high.%'`;
const NORMAL_LANE = `routing_key NOT LIKE 'task.high.%'`;

/** The outbox columns a new message fills, and their types as a jsonb_to_recordset record. */
export const OUTBOX_COLUMNS = `task_id, attempt, exchange, routing_key, message_id, message_type, body, headers, available_at,
  group_name`;
export const OUTBOX_RECORD = `task_id uuid, attempt int, exchange text, routing_key text, message_id text, message_type text,
  body jsonb, headers jsonb, available_at timestamptz, group_name text`;

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
    group_name: x.group,
  };
}

/**
 * Moves the tasks of published messages (rows `o` of task id and attempt) to `queued` where the
 * state machine allows it; $3 are the statuses it comes from. queued_at is now(), or the start or
 * finish a worker's report already recorded if earlier (the message ran before this). `$1` holds
 * the task ids again, as `= ANY`: the planner can read them by primary key, where a join to the
 * function scan alone was planned as a scan of the whole tasks table.
 */
const MARK_QUEUED = `UPDATE tasks t SET updated_at = now(),
    queued_at = COALESCE(t.queued_at, LEAST(now(), t.started_at, t.finished_at)),
    status = CASE WHEN t.status = ANY($3) THEN 'queued' ELSE t.status END,
    attempts = GREATEST(t.attempts, o.attempt)
  FROM unnest($1::uuid[], $2::int[]) AS o(id, attempt)
  WHERE t.id = o.id AND t.id = ANY($1::uuid[])`;

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

  /**
   * Locks up to `limit` due rows of one group (null: the ungrouped rows); other relays skip them,
   * so several gateways can run side by side. When both lanes have more than fits, high gets its
   * weight's share and normal the rest, so neither starves; a lane with less leaves its share to
   * the other. Returned high lane first.
   */
  async claimDue(
    tx: Tx,
    group: string | null,
    limit: number,
    weights: LaneWeights,
  ): Promise<ClaimedMessage[]> {
    if (limit <= 0) return [];
    const highShare = Math.ceil((limit * weights.highWeight) / (weights.highWeight + weights.normalWeight));
    const high = await this.claim(tx, group, HIGH_LANE, highShare, []);
    const normal = await this.claim(tx, group, NORMAL_LANE, limit - high.length, []);
    const left = limit - high.length - normal.length;
    if (left === 0 || high.length < highShare) return [...high, ...normal];
    const more = await this.claim(
      tx,
      group,
      HIGH_LANE,
      left,
      high.map((r) => r.id),
    );
    return [...high, ...more, ...normal];
  }

  /**
   * Up to `max` groups with rows in the outbox, in name order from just after `after` and round
   * again from the start: the relay serves them in turn. A skip scan, so a group's deep backlog
   * costs one index probe, not a read of its rows.
   */
  async groupsWaiting(tx: Tx, after: string, max: number): Promise<string[]> {
    const fromCursor = await this.groupNames(tx, after, null, max);
    if (fromCursor.length >= max || after === '') return fromCursor;
    return [...fromCursor, ...(await this.groupNames(tx, '', after, max - fromCursor.length))];
  }

  /** Group names with rows, in the database's order: after `after`, up to `upTo` when given. */
  private async groupNames(tx: Tx, after: string, upTo: string | null, max: number): Promise<string[]> {
    const scan = (lane: string) => `(WITH RECURSIVE g(name) AS (
        (SELECT group_name FROM outbox WHERE group_name > $1 AND ${lane} ORDER BY group_name LIMIT 1)
        UNION ALL
        SELECT (SELECT group_name FROM outbox WHERE group_name > g.name AND ${lane} ORDER BY group_name LIMIT 1)
        FROM g WHERE g.name IS NOT NULL AND ($3::text IS NULL OR g.name < $3)
      ) SELECT name FROM g WHERE name IS NOT NULL AND ($3::text IS NULL OR name <= $3) LIMIT $2)`;
    const rows: { name: string }[] = await tx.query(
      `SELECT name FROM (${scan(HIGH_LANE)} UNION ${scan(NORMAL_LANE)}) n ORDER BY name LIMIT $2`,
      [after, max, upTo],
    );
    return rows.map((r) => r.name);
  }

  private claim(
    tx: Tx,
    group: string | null,
    lane: string,
    limit: number,
    exclude: string[],
  ): Promise<ClaimedMessage[]> {
    if (limit <= 0) return Promise.resolve([]);
    // Each form matches one partial index: the ungrouped lanes', or the groups' by name.
    const scope = group === null ? `group_name IS NULL` : `group_name IS NOT NULL AND group_name = $3`;
    return tx.query(
      `SELECT id, task_id AS "taskId", attempt, exchange, routing_key AS "routingKey",
         message_id AS "messageId", message_type AS "messageType", body::text AS body, headers
       FROM outbox WHERE ${scope} AND ${lane} AND available_at <= now() AND NOT (id = ANY($2::bigint[]))
       ORDER BY available_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      group === null ? [limit, exclude] : [limit, exclude, group],
    );
  }

  /** Removes published rows and moves their tasks to `queued` where the state machine allows it. */
  async markPublished(tx: Tx, sent: ClaimedMessage[]): Promise<void> {
    if (sent.length === 0) return;
    await tx.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [sent.map((r) => r.id)]);
    const tasks = sent.filter((r) => r.taskId !== null);
    if (tasks.length === 0) return;
    // now(): this transaction's start, before the publish.
    await tx.query(MARK_QUEUED, [
      tasks.map((r) => r.taskId),
      tasks.map((r) => r.attempt ?? 1),
      sourcesOf('queued'),
    ]);
  }

  /**
   * Removes the outbox rows of task messages a gateway published right after their commit (their
   * tasks were stored `queued`), found by task and message id. A row may be gone already: the
   * worker's report removed it, or a relay took it at its fallback time.
   */
  async removePublished(sent: { taskId: string; messageId: string }[]): Promise<void> {
    if (sent.length === 0) return;
    // SKIP LOCKED: a locked row is being deleted (by its task's report or a cancel) or published by
    // a relay; waiting for those queued the removal behind them. A message id names its task and
    // attempt, so the two lists find exactly the sent rows. `= ANY(ARRAY(…))`: the rows are found
    // once; as `IN (…)`, statistics that took the outbox for empty (a queue table is, when analyzed)
    // planned a nested loop that ran the search again for every row of the outbox, 10–20 s a statement.
    await this.db.query(
      `DELETE FROM outbox WHERE id = ANY(ARRAY(SELECT id FROM outbox
         WHERE task_id = ANY($1::uuid[]) AND message_id = ANY($2::text[]) FOR UPDATE SKIP LOCKED))`,
      [sent.map((m) => m.taskId), sent.map((m) => m.messageId)],
    );
  }

  async backlog(): Promise<number> {
    const rows: { n: string }[] = await this.db.query(`SELECT count(*) AS n FROM outbox`);
    return Number(rows[0]?.n ?? 0);
  }
}
