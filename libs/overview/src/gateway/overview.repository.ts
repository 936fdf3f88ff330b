import { Injectable } from '@nestjs/common';
import { Database } from '@conveyor/db';

/** The latency window reads at most this many of the newest tasks, so it stays cheap under load. */
export const LATENCY_SAMPLE = 20_000;
/** Counts stop here: beyond it the console shows "more than". */
export const COUNT_CAP = 1_000_000;

export interface LatencyBucket {
  at: number;
  finished: number;
  p50Ms: number;
  p99Ms: number;
}

/** The SQL behind the console's overview: each statement reads through an index and is bounded. */
@Injectable()
export class OverviewRepository {
  constructor(private readonly db: Database) {}

  /** Tasks not finished, by status (exact, up to the cap each). */
  async active(): Promise<Record<string, number>> {
    const rows = await this.db.query<{ status: string; n: number }[]>(
      `SELECT s.status, (SELECT count(*)::int FROM (SELECT 1 FROM tasks t WHERE t.status = s.status LIMIT $1) c) AS n
       FROM unnest(ARRAY['pending', 'waiting', 'queued', 'running']) AS s(status)`,
      [COUNT_CAP],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /**
   * The newest tasks created in the last `windowS` seconds (LATENCY_SAMPLE at most): how many,
   * the finished ones by status, and per `stepS` bucket of finishing time how many finished and
   * their submit-to-finish p50 and p99.
   */
  async finished(windowS: number, stepS: number): Promise<FinishedWindow> {
    const [row] = await this.db.query<FinishedWindow[]>(
      `WITH recent AS (
         SELECT status, created_at, finished_at FROM tasks
         WHERE created_at > now() - make_interval(secs => $1) ORDER BY created_at DESC LIMIT $3
       ), done AS (SELECT * FROM recent WHERE finished_at IS NOT NULL)
       SELECT (SELECT count(*)::int FROM recent) AS sampled,
         (SELECT coalesce(json_object_agg(status, n), '{}')
            FROM (SELECT status, count(*)::int AS n FROM done GROUP BY status) s) AS "byStatus",
         (SELECT coalesce(json_agg(b ORDER BY b.at), '[]') FROM (
            SELECT (floor(extract(epoch FROM finished_at) / $2) * $2)::bigint AS at, count(*)::int AS finished,
              round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY finished_at - created_at)) * 1000) AS "p50Ms",
              round(extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY finished_at - created_at)) * 1000) AS "p99Ms"
            FROM done GROUP BY 1) b) AS buckets`,
      [windowS, stepS, LATENCY_SAMPLE],
    );
    return row;
  }

  /** Unpublished outbox rows: due now (the relay's backlog) and later (scheduled), each up to the cap. */
  async outbox(): Promise<{ due: number; later: number }> {
    const [row] = await this.db.query<{ due: number; later: number }[]>(
      `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM outbox WHERE available_at <= now() LIMIT $1) d) AS due,
              (SELECT count(*)::int FROM (SELECT 1 FROM outbox WHERE available_at > now() LIMIT $1) l) AS later`,
      [COUNT_CAP],
    );
    return row;
  }
}

export interface FinishedWindow {
  sampled: number;
  byStatus: Record<string, number>;
  buckets: LatencyBucket[];
}
