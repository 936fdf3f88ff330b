import { Injectable } from '@nestjs/common';
import { Database, Tx } from '@conveyor/db';
import type { TaskStatus } from '@conveyor/contracts';

/** The tasks of ID batch $1 (the predicate of the tasks_batch_ix index). */
const OF_BATCH = `type = 'user.process' AND payload ->> 'batchId' = $1`;

/**
 * Reads of the `user.process` tasks an ID batch created, found by the batch id in their payload.
 * Changes to them go through the tasks library (TasksRepository), which guards their state.
 */
@Injectable()
export class IdBatchTasksRepository {
  constructor(private readonly db: Database) {}

  /** How many tasks of an ID batch are in each status. */
  async statusCounts(batchId: string): Promise<{ status: TaskStatus; n: number }[]> {
    return this.db.query(`SELECT status, count(*)::int AS n FROM tasks WHERE ${OF_BATCH} GROUP BY status`, [
      batchId,
    ]);
  }

  /** The tasks of an ID batch by slot of its window: per slot, the count and one page of user IDs. */
  async slots(
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

  /** One page of an ID batch's pending tasks, in batch order, after a batch index (locked). */
  async pendingPage(
    tx: Tx,
    batchId: string,
    afterIndex: number,
    limit: number,
  ): Promise<{ id: string; batchIndex: number }[]> {
    return tx.query(
      `SELECT id, (payload ->> 'batchIndex')::int AS "batchIndex" FROM tasks
       WHERE ${OF_BATCH} AND status = 'pending'
         AND (payload ->> 'batchIndex')::int > $2
       ORDER BY (payload ->> 'batchIndex')::int LIMIT $3 FOR UPDATE`,
      [batchId, afterIndex, limit],
    );
  }

  async countPending(tx: Tx, batchId: string): Promise<number> {
    const rows: { n: number }[] = await tx.query(
      `SELECT count(*)::int AS n FROM tasks WHERE ${OF_BATCH} AND status = 'pending'`,
      [batchId],
    );
    return rows[0]?.n ?? 0;
  }

  /** The ids of an ID batch's tasks that have not started (pending or queued). */
  async waitingIds(tx: Tx, batchId: string): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id FROM tasks WHERE ${OF_BATCH} AND status IN ('pending', 'queued')`,
      [batchId],
    );
    return rows.map((r) => r.id);
  }
}
