import { Injectable } from '@nestjs/common';
import { Database, execute } from '@conveyor/db';

/** A dead letter as stored; `body` holds at most DEAD_LETTER_BODY_MAX_BYTES of it. */
export interface NewDeadLetter {
  fingerprint: Buffer;
  queue: string | null;
  reason: string;
  message: string;
  exchange: string | null;
  routingKey: string | null;
  messageId: string | null;
  taskId: string | null;
  type: string | null;
  contentType: string | null;
  headers: Record<string, unknown>;
  body: Buffer;
  bodySize: number;
  diedAt: Date | null;
}

export interface DeadLetterRow extends Omit<NewDeadLetter, 'fingerprint'> {
  id: string;
  /** Bytes of the body kept (below bodySize when it was cut). */
  storedSize: number;
  receivedAt: Date;
}

/** Which dead letters a list, a replay or a discard is about: ids, or a filter. */
export interface DeadLetterFilter {
  ids?: string[];
  queue?: string;
  reason?: string;
  since?: Date;
  until?: Date;
}

const BRIEF = `id::text AS id, queue, reason, message, exchange, routing_key AS "routingKey",
  message_id AS "messageId", task_id AS "taskId", type, content_type AS "contentType", headers,
  octet_length(body) AS "storedSize", body_size AS "bodySize", died_at AS "diedAt", received_at AS "receivedAt"`;
/** With the body: for one letter, or a replay. */
const COLUMNS = `${BRIEF}, body`;

/** The filter as a WHERE clause over $1..$5 (every criterion optional, all of them ANDed). */
const WHERE = `($1::bigint[] IS NULL OR id = ANY($1::bigint[])) AND ($2::text IS NULL OR queue = $2)
  AND ($3::text IS NULL OR reason = $3) AND ($4::timestamptz IS NULL OR received_at >= $4)
  AND ($5::timestamptz IS NULL OR received_at < $5)`;

const params = (f: DeadLetterFilter) => [
  f.ids ?? null,
  f.queue ?? null,
  f.reason ?? null,
  f.since ?? null,
  f.until ?? null,
];

/** Every SQL statement about the dead_letters table. */
@Injectable()
export class DeadLettersRepository {
  constructor(private readonly db: Database) {}

  /** Stores a letter once: a redelivered copy (same fingerprint) changes nothing. */
  async insert(d: NewDeadLetter): Promise<void> {
    await this.db.query(
      `INSERT INTO dead_letters (fingerprint, queue, reason, message, exchange, routing_key, message_id, task_id,
         type, content_type, headers, body, body_size, died_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14)
       ON CONFLICT (fingerprint) DO NOTHING`,
      [
        d.fingerprint,
        d.queue,
        d.reason,
        d.message,
        d.exchange,
        d.routingKey,
        d.messageId,
        d.taskId,
        d.type,
        d.contentType,
        JSON.stringify(d.headers),
        d.body,
        d.bodySize,
        d.diedAt,
      ],
    );
  }

  /** Newest first. */
  async list(f: DeadLetterFilter, limit: number, offset: number): Promise<DeadLetterRow[]> {
    return this.db.query(
      `SELECT ${BRIEF}, ''::bytea AS body FROM dead_letters WHERE ${WHERE}
       ORDER BY received_at DESC, id DESC LIMIT $6 OFFSET $7`,
      [...params(f), limit, offset],
    );
  }

  async find(id: string): Promise<DeadLetterRow | null> {
    const rows: DeadLetterRow[] = await this.db.query(`SELECT ${COLUMNS} FROM dead_letters WHERE id = $1`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  /** The next `limit` matching letters after id `after`, oldest first (a replay goes in pages). */
  async matching(f: DeadLetterFilter, after: string, limit: number): Promise<DeadLetterRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM dead_letters WHERE ${WHERE} AND id > $6::bigint ORDER BY id LIMIT $7`,
      [...params(f), after, limit],
    );
  }

  async count(f: DeadLetterFilter): Promise<number> {
    const rows: { n: number }[] = await this.db.query(
      `SELECT count(*)::int AS n FROM dead_letters WHERE ${WHERE}`,
      params(f),
    );
    return rows[0]?.n ?? 0;
  }

  /** Removes the matching letters; answers how many. */
  async delete(f: DeadLetterFilter): Promise<number> {
    return this.db.transaction(
      async (tx) => (await execute(tx, `DELETE FROM dead_letters WHERE ${WHERE}`, params(f))).count,
    );
  }
}
