import { Injectable } from '@nestjs/common';
import { Database, Tx } from '@conveyor/db';
import type { IdBatchSource } from './id-batches.dto';

export interface IdBatchRow {
  id: string;
  rpm: number;
  startsAt: Date;
  slotMs: number;
  total: number;
  source: IdBatchSource;
  materialized: number;
  cancelledAt: Date | null;
  createdAt: Date;
}

const COLUMNS = `id, rpm, starts_at AS "startsAt", slot_ms AS "slotMs", total, materialized,
  cancelled_at AS "cancelledAt", created_at AS "createdAt"`;
// What clients see leaves a list's IDs out: a list batch carries up to 100,000 of them.
const SUMMARY = `${COLUMNS},
  CASE WHEN source ->> 'kind' = 'list' THEN jsonb_build_object('kind', 'list') ELSE source END AS source`;
const FULL = `${COLUMNS}, source`;

/** Every SQL statement about ID batches (their tasks: IdBatchTasksRepository). */
@Injectable()
export class IdBatchesRepository {
  constructor(private readonly db: Database) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async insert(batch: Omit<IdBatchRow, 'materialized' | 'cancelledAt' | 'createdAt'>): Promise<IdBatchRow> {
    const rows: IdBatchRow[] = await this.db.query(
      `INSERT INTO id_batches (id, rpm, starts_at, slot_ms, total, source) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${SUMMARY}`,
      [batch.id, batch.rpm, batch.startsAt, batch.slotMs, batch.total, JSON.stringify(batch.source)],
    );
    return rows[0];
  }

  /** A batch as clients see it (a list's IDs left out), or with its full source. */
  async find(id: string, withSource = false): Promise<IdBatchRow | null> {
    const rows: IdBatchRow[] = await this.db.query(
      `SELECT ${withSource ? FULL : SUMMARY} FROM id_batches WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async list(limit: number, offset: number): Promise<IdBatchRow[]> {
    return this.db.query(
      `SELECT ${SUMMARY} FROM id_batches ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
  }

  /** Locks a batch (with its full source) for a change; waits for a materializer pass on it. */
  async lock(tx: Tx, id: string): Promise<IdBatchRow | null> {
    const rows: IdBatchRow[] = await tx.query(`SELECT ${FULL} FROM id_batches WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    return rows[0] ?? null;
  }

  /** Locks one batch whose tasks are not all created yet; other gateways skip it. */
  async claimOpen(tx: Tx): Promise<IdBatchRow | null> {
    const rows: IdBatchRow[] = await tx.query(
      `SELECT ${FULL} FROM id_batches
       WHERE materialized < total AND cancelled_at IS NULL
       ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    return rows[0] ?? null;
  }

  async advance(tx: Tx, id: string, materialized: number): Promise<void> {
    await tx.query(`UPDATE id_batches SET materialized = $2, updated_at = now() WHERE id = $1`, [
      id,
      materialized,
    ]);
  }

  async replan(tx: Tx, id: string, rpm: number, startsAt: Date): Promise<void> {
    await tx.query(`UPDATE id_batches SET rpm = $2, starts_at = $3, updated_at = now() WHERE id = $1`, [
      id,
      rpm,
      startsAt,
    ]);
  }

  async cancel(tx: Tx, id: string): Promise<void> {
    await tx.query(
      `UPDATE id_batches SET cancelled_at = COALESCE(cancelled_at, now()), updated_at = now() WHERE id = $1`,
      [id],
    );
  }
}
