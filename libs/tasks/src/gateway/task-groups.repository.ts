import { Injectable } from '@nestjs/common';
import { Database, Tx, execute } from '@conveyor/db';
import { StartWindow } from './group-window';

/** A group's limits as stored; null is unlimited. */
export interface GroupLimits {
  name: string;
  concurrency: number | null;
  ratePerSecond: number | null;
}

export interface GroupRow extends GroupLimits {
  createdAt: Date;
  updatedAt: Date;
}

/** A group's limits locked by one relay pass, with its token bucket as of the pass. */
export interface LockedGroup extends GroupLimits {
  tokens: number;
  /** Seconds since the bucket was last brought up to date. */
  elapsedS: number;
  /** Its starts of the last second, as the last pass left them. */
  window: StartWindow;
  /** The database's clock at the pass (ms since the epoch). */
  nowMs: number;
}

/** A pass's draw on a rate-limited group: the tokens left and the window with its starts. */
export interface BucketDraw {
  name: string;
  tokens: number;
  window: StartWindow;
}

/** Tasks the relay counts against `concurrency`: published and not finished. */
export const GROUP_RUNNING = ['queued', 'running'];
/** Tasks of a group still to be published. */
export const GROUP_WAITING = ['waiting', 'pending', 'retrying'];

export interface GroupCounts {
  running: number;
  waiting: number;
}

/**
 * The most tokens a group's bucket holds: a tenth of a second's worth (at least one) plus half a
 * token, so a pass that comes up to 100 ms late (a busy machine, a slow pass) catches up on what
 * dripped in meanwhile instead of losing it, and a catch-up is never a burst of more than that.
 * The window of the last second's starts keeps any second, wherever it begins, at the rate.
 */
export function bucketSize(ratePerSecond: number): number {
  return Math.max(1, ratePerSecond / 10) + 0.5;
}

/** Constant status lists written into the SQL, so the planner sees they match the partial index. */
const inList = (statuses: string[]) => `(${statuses.map((x) => `'${x}'`).join(', ')})`;

const COLUMNS = `name, concurrency, rate_per_second AS "ratePerSecond"`;

/** The task_groups table: limits set through the API, and the token buckets the relay keeps. */
@Injectable()
export class TaskGroupsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Locks the limits of those of `names` that have them, skipping a group another relay holds
   * right now (it serves that group this moment). Returns the locked ones and every configured name.
   */
  async lock(tx: Tx, names: string[]): Promise<{ locked: LockedGroup[]; configured: Set<string> }> {
    const locked: LockedGroup[] = await tx.query(
      `SELECT ${COLUMNS}, tokens, EXTRACT(EPOCH FROM now() - refilled_at)::float8 AS "elapsedS",
         json_build_object('slots', window_slots, 'epoch', window_epoch) AS "window",
         EXTRACT(EPOCH FROM now())::float8 * 1000 AS "nowMs"
       FROM task_groups WHERE name = ANY($1) ORDER BY name FOR UPDATE SKIP LOCKED`,
      [names],
    );
    const all: { name: string }[] = await tx.query(`SELECT name FROM task_groups WHERE name = ANY($1)`, [
      names,
    ]);
    return { locked, configured: new Set(all.map((r) => r.name)) };
  }

  /** Published, unfinished tasks per group (the partial index on unfinished grouped tasks). */
  async running(tx: Tx, names: string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    const rows: { name: string; n: number }[] = await tx.query(
      `SELECT group_name AS name, count(*)::int AS n FROM tasks
       WHERE group_name = ANY($1) AND status IN ${inList(GROUP_RUNNING)} GROUP BY group_name`,
      [names],
    );
    return new Map(rows.map((r) => [r.name, r.n]));
  }

  /** Stores the buckets a pass drew from, as of the pass's start, with their windows. */
  async saveTokens(tx: Tx, buckets: BucketDraw[]): Promise<void> {
    if (buckets.length === 0) return;
    await tx.query(
      `UPDATE task_groups g SET tokens = b.tokens, refilled_at = now(),
         window_slots = ARRAY(SELECT jsonb_array_elements_text(b.slots)::int), window_epoch = b.epoch
       FROM unnest($1::text[], $2::float8[], $3::jsonb[], $4::bigint[]) AS b(name, tokens, slots, epoch)
       WHERE g.name = b.name`,
      [
        buckets.map((b) => b.name),
        buckets.map((b) => b.tokens),
        buckets.map((b) => JSON.stringify(b.window.slots)),
        buckets.map((b) => b.window.epoch),
      ],
    );
  }

  /**
   * Sets a group's limits. A new group's bucket starts full; a changed rate keeps what is left,
   * capped to the new size, so lowering a rate takes effect at once.
   */
  async put(limits: GroupLimits): Promise<{ row: GroupRow; created: boolean }> {
    const size = limits.ratePerSecond === null ? 0 : bucketSize(limits.ratePerSecond);
    const rows: (GroupRow & { created: boolean })[] = await this.db.query(
      `INSERT INTO task_groups AS g (name, concurrency, rate_per_second, tokens, refilled_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (name) DO UPDATE SET concurrency = EXCLUDED.concurrency,
         rate_per_second = EXCLUDED.rate_per_second, tokens = LEAST(g.tokens, EXCLUDED.tokens), updated_at = now()
       RETURNING ${COLUMNS}, created_at AS "createdAt", updated_at AS "updatedAt", (xmax = 0) AS created`,
      [limits.name, limits.concurrency, limits.ratePerSecond, size],
    );
    const { created, ...row } = rows[0];
    return { row, created };
  }

  async find(name: string): Promise<GroupRow | null> {
    const rows: GroupRow[] = await this.db.query(
      `SELECT ${COLUMNS}, created_at AS "createdAt", updated_at AS "updatedAt" FROM task_groups WHERE name = $1`,
      [name],
    );
    return rows[0] ?? null;
  }

  async list(limit: number, offset: number): Promise<GroupRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS}, created_at AS "createdAt", updated_at AS "updatedAt" FROM task_groups
       ORDER BY name LIMIT $1 OFFSET $2`,
      [limit, offset],
    );
  }

  async delete(name: string): Promise<boolean> {
    const { count } = await execute(this.db, `DELETE FROM task_groups WHERE name = $1`, [name]);
    return count > 0;
  }

  /** Running and waiting tasks of each of `names`, from the partial index of unfinished grouped tasks. */
  async counts(names: string[]): Promise<Map<string, GroupCounts>> {
    const rows: { name: string; running: number; waiting: number }[] = await this.db.query(
      `SELECT group_name AS name, count(*) FILTER (WHERE status IN ${inList(GROUP_RUNNING)})::int AS running,
         count(*) FILTER (WHERE status IN ${inList(GROUP_WAITING)})::int AS waiting
       FROM tasks WHERE group_name = ANY($1) AND status IN ${inList([...GROUP_RUNNING, ...GROUP_WAITING])}
       GROUP BY group_name`,
      [names],
    );
    const counts = new Map(names.map((n) => [n, { running: 0, waiting: 0 }]));
    for (const r of rows) counts.set(r.name, { running: r.running, waiting: r.waiting });
    return counts;
  }
}
