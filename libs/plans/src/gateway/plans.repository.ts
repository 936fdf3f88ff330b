import { Injectable } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import type { PlanRecord, PlansSyncResult } from '@conveyor/contracts';
import { Database, ReadDatabase, Tx } from '@conveyor/db';

/** A sync run: its task, joined with what its chunks and its success recorded. */
export interface PlanSyncRow {
  taskId: string;
  status: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: unknown;
  chunks: number;
  chunksExpected: number | null;
  plansSeen: number;
  plansNew: number;
  plansChanged: number;
  skipped: Record<string, number>;
  warnings: Record<string, number>;
}

/** A plan found by search, its columns named and formatted as the search answer names them. */
export interface SearchEventRow {
  id: string;
  title: string;
  start_date: string;
  start_time: string;
  end_date: string;
  end_time: string;
  min_price: number;
  max_price: number;
}

/** Namespace of plan ids: uuid v5 of `<base plan id>/<plan id>`, the same on every ingest. */
const PLAN_ID_NAMESPACE = '0f9b7a52-3c1e-4b8e-9a55-6f2d1c4e8b70';

export function planUuid(basePlanId: string, planId: string): string {
  return uuidv5(`${basePlanId}/${planId}`, PLAN_ID_NAMESPACE);
}

/** Every SQL statement about plans and their syncs. Search reads go to the read data source. */
@Injectable()
export class PlansRepository {
  constructor(
    private readonly db: Database,
    private readonly replica: ReadDatabase,
  ) {}

  /**
   * Applies one chunk of a sync in one transaction: upserts the plans (latest values win, nothing
   * is deleted) and adds to the sync's counters. A chunk seen before changes nothing (null).
   */
  async applyChunk(
    taskId: string,
    attempt: number,
    index: number,
    plans: PlanRecord[],
  ): Promise<{ created: number; changed: number } | null> {
    return this.db.transaction(async (tx) => {
      const fresh: unknown[] = await tx.query(
        `INSERT INTO plan_sync_chunks (task_id, attempt, index) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING index`,
        [taskId, attempt, index],
      );
      if (fresh.length === 0) return null;
      const rows: { created: boolean }[] = await tx.query(
        `INSERT INTO plans AS p (id, base_plan_id, plan_id, title, starts_at, ends_at, min_price, max_price)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamp[], $6::timestamp[],
           $7::numeric[], $8::numeric[])
         ON CONFLICT (base_plan_id, plan_id) DO UPDATE SET title = excluded.title,
           starts_at = excluded.starts_at, ends_at = excluded.ends_at, min_price = excluded.min_price,
           max_price = excluded.max_price, updated_at = now()
         WHERE (p.title, p.starts_at, p.ends_at, p.min_price, p.max_price)
           IS DISTINCT FROM (excluded.title, excluded.starts_at, excluded.ends_at, excluded.min_price, excluded.max_price)
         RETURNING (xmax = 0) AS created`,
        [
          plans.map((p) => planUuid(p.basePlanId, p.planId)),
          plans.map((p) => p.basePlanId),
          plans.map((p) => p.planId),
          plans.map((p) => p.title),
          plans.map((p) => p.startsAt),
          plans.map((p) => p.endsAt),
          plans.map((p) => p.minPrice),
          plans.map((p) => p.maxPrice),
        ],
      );
      const created = rows.filter((r) => r.created).length;
      const changed = rows.length - created;
      await tx.query(
        `INSERT INTO plan_syncs AS s (task_id, chunks, plans_seen, plans_new, plans_changed)
         VALUES ($1, 1, $2, $3, $4)
         ON CONFLICT (task_id) DO UPDATE SET chunks = s.chunks + 1, plans_seen = s.plans_seen + $2,
           plans_new = s.plans_new + $3, plans_changed = s.plans_changed + $4`,
        [taskId, plans.length, created, changed],
      );
      return { created, changed };
    });
  }

  /** The sync's own account of what it skipped, recorded when it succeeds. */
  async recordResult(tx: Tx, taskId: string, result: PlansSyncResult): Promise<void> {
    await tx.query(
      `INSERT INTO plan_syncs AS s (task_id, chunks_expected, skipped, warnings) VALUES ($1, $2, $3, $4)
       ON CONFLICT (task_id) DO UPDATE SET chunks_expected = $2, skipped = $3, warnings = $4`,
      [taskId, result.chunks, JSON.stringify(result.skipped ?? {}), JSON.stringify(result.warnings ?? {})],
    );
  }

  async listSyncs(limit: number, offset: number): Promise<PlanSyncRow[]> {
    return this.db.query(
      `SELECT t.id AS "taskId", t.status, t.created_at AS "createdAt", t.started_at AS "startedAt",
         t.finished_at AS "finishedAt", t.error,
         COALESCE(s.chunks, 0) AS chunks, s.chunks_expected AS "chunksExpected",
         COALESCE(s.plans_seen, 0) AS "plansSeen",
         COALESCE(s.plans_new, 0) AS "plansNew", COALESCE(s.plans_changed, 0) AS "plansChanged",
         COALESCE(s.skipped, '{}') AS skipped, COALESCE(s.warnings, '{}') AS warnings
       FROM tasks t LEFT JOIN plan_syncs s ON s.task_id = t.id
       WHERE t.type = 'plans.sync' ORDER BY t.created_at DESC, t.id DESC LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
  }

  async activeSyncId(): Promise<string | null> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM tasks WHERE type = 'plans.sync' AND status IN ('pending', 'queued', 'running', 'retrying')`,
    );
    return rows[0]?.id ?? null;
  }

  /** Plans starting at or after `from` and ending at or before `to` (local times), in start order. */
  async search(from: string | null, to: string | null): Promise<SearchEventRow[]> {
    return this.replica.query(
      `SELECT id, title, to_char(starts_at, 'YYYY-MM-DD') AS start_date, to_char(starts_at, 'HH24:MI:SS') AS start_time,
         to_char(ends_at, 'YYYY-MM-DD') AS end_date, to_char(ends_at, 'HH24:MI:SS') AS end_time,
         min_price::float8 AS min_price, max_price::float8 AS max_price
       FROM plans
       WHERE ($1::timestamp IS NULL OR starts_at >= $1::timestamp) AND ($2::timestamp IS NULL OR ends_at <= $2::timestamp)
       ORDER BY starts_at, id`,
      [from, to],
    );
  }
}
