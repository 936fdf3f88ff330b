import { Injectable } from '@nestjs/common';
import { Database, Tx, commitRowCte, execute } from '@conveyor/db';
import type { RetentionCutoffs } from '@conveyor/tasks/gateway';

export interface FlowRow {
  id: string;
  name: string | null;
  taskCount: number;
  createdAt: Date;
}

export interface NewFlow {
  id: string;
  name: string | null;
  taskCount: number;
  idempotencyKey: string | null;
  fingerprint: string | null;
}

const FLOW_COLUMNS = `id, name, task_count AS "taskCount", created_at AS "createdAt"`;

/** The flows table: a flow's name and size; its tasks and edges reference it and go with it. */
@Injectable()
export class FlowsRepository {
  constructor(private readonly db: Database) {}

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Inserts a flow; the request's audit row (if any) goes in the same statement, naming it. */
  async insert(tx: Tx, flow: NewFlow): Promise<FlowRow> {
    const audit = commitRowCte({ id: flow.id }, 6, 'f');
    try {
      const rows: FlowRow[] = await tx.query(
        `WITH f AS (
           INSERT INTO flows (id, name, task_count, idempotency_key, idempotency_fingerprint)
           VALUES ($1, $2, $3, $4, $5) RETURNING ${FLOW_COLUMNS}
         )${audit ? `, ${audit.cte}` : ''}
         SELECT * FROM f`,
        [flow.id, flow.name, flow.taskCount, flow.idempotencyKey, flow.fingerprint, ...(audit?.params ?? [])],
      );
      return rows[0];
    } catch (err) {
      audit?.notWritten(); // say, the Idempotency-Key was taken meanwhile: the repeat is audited instead
      throw err;
    }
  }

  /** The flow an Idempotency-Key created, with what its request asked for. */
  async findByIdempotencyKey(key: string): Promise<(FlowRow & { fingerprint: string }) | null> {
    const rows: (FlowRow & { fingerprint: string })[] = await this.db.query(
      `SELECT ${FLOW_COLUMNS}, idempotency_fingerprint AS fingerprint FROM flows WHERE idempotency_key = $1`,
      [key],
    );
    return rows[0] ?? null;
  }

  async findById(id: string): Promise<FlowRow | null> {
    const rows: FlowRow[] = await this.db.query(`SELECT ${FLOW_COLUMNS} FROM flows WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async list(limit: number, offset: number): Promise<FlowRow[]> {
    return this.db.query(
      `SELECT ${FLOW_COLUMNS} FROM flows ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
  }

  /**
   * Deletes the oldest flows every task of which is due (finished before its kind's cutoff; a flow
   * with a dead task waits for DEAD_TASK_RETENTION_HOURS too), up to `limit` tasks (at least one
   * flow), with their tasks, attempts and edges.
   */
  async deleteFinished(
    cutoffs: RetentionCutoffs,
    limit: number,
  ): Promise<{ deleted: number; full: boolean }> {
    const oldest = [cutoffs.finished, cutoffs.dead].filter((d): d is Date => d !== null);
    if (oldest.length === 0) return { deleted: 0, full: false };
    const due = `f.created_at < $3 AND NOT EXISTS (
      SELECT 1 FROM tasks t WHERE t.flow_id = f.id AND (
        t.status NOT IN ('succeeded', 'failed', 'cancelled', 'dead')
        OR (t.status <> 'dead' AND ($1::timestamptz IS NULL OR t.finished_at >= $1))
        OR (t.status = 'dead' AND ($2::timestamptz IS NULL OR t.finished_at >= $2))))`;
    const params = [cutoffs.finished, cutoffs.dead, new Date(Math.max(...oldest.map((d) => d.getTime())))];
    const candidates: { id: string; taskCount: number }[] = await this.db.query(
      `SELECT id, task_count AS "taskCount" FROM flows f WHERE ${due} ORDER BY created_at, id LIMIT $4`,
      [...params, limit],
    );
    const picked: string[] = [];
    let tasks = 0;
    for (const c of candidates) {
      if (picked.length > 0 && tasks + c.taskCount > limit) break;
      picked.push(c.id);
      tasks += c.taskCount;
    }
    if (picked.length === 0) return { deleted: 0, full: false };
    // Checked again: a task retried since the read keeps its flow.
    const { rows } = await execute<{ taskCount: number }>(
      this.db,
      `DELETE FROM flows f WHERE id = ANY($4::uuid[]) AND ${due} RETURNING task_count AS "taskCount"`,
      [...params, picked],
    );
    return {
      deleted: rows.reduce((n, r) => n + r.taskCount, 0),
      full: picked.length < candidates.length || candidates.length === limit,
    };
  }
}
