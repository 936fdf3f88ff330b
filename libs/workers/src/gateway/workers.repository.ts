import { Injectable } from '@nestjs/common';
import { Database } from '@conveyor/db';
import { HEARTBEATS_MISSED_GONE, WorkerHeartbeat } from '@conveyor/contracts';

export const WORKER_STATUSES = ['up', 'gone', 'stopped'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  version: string;
  status: WorkerStatus;
  startedAt: Date;
  lastSeenAt: Date;
  stoppedAt: Date | null;
  intervalMs: number;
  brokerNode: string | null;
  cpuThreads: number;
  poolUtilization: number;
  lanes: WorkerHeartbeat['lanes'];
}

/** Stopped, or silent for the beats it missed; else up. Measured on the database's clock. */
const STATUS = `CASE WHEN stopped_at IS NOT NULL THEN 'stopped'
  WHEN last_seen_at < now() - make_interval(secs => interval_ms * ${HEARTBEATS_MISSED_GONE} / 1000.0) THEN 'gone'
  ELSE 'up' END`;

const COLUMNS = `id, host, pid, version, ${STATUS} AS status, started_at AS "startedAt",
  last_seen_at AS "lastSeenAt", stopped_at AS "stoppedAt", interval_ms AS "intervalMs",
  broker_node AS "brokerNode", cpu_threads AS "cpuThreads", pool_utilization AS "poolUtilization", lanes`;

/** Every SQL statement about the workers table. */
@Injectable()
export class WorkersRepository {
  constructor(private readonly db: Database) {}

  /** Replaces the worker's row with its beat, unless a later beat is there already (redelivered or reordered). */
  async save(b: WorkerHeartbeat): Promise<void> {
    await this.db.query(
      `INSERT INTO workers (id, host, pid, version, started_at, last_seen_at, interval_ms, broker_node,
         cpu_threads, pool_utilization, lanes, stopped_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, CASE WHEN $12::boolean THEN $6::timestamptz END)
       ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid, version = EXCLUDED.version,
         started_at = EXCLUDED.started_at, last_seen_at = EXCLUDED.last_seen_at,
         interval_ms = EXCLUDED.interval_ms, broker_node = EXCLUDED.broker_node,
         cpu_threads = EXCLUDED.cpu_threads, pool_utilization = EXCLUDED.pool_utilization,
         lanes = EXCLUDED.lanes, stopped_at = EXCLUDED.stopped_at
       WHERE workers.last_seen_at <= EXCLUDED.last_seen_at`,
      [
        b.workerId,
        b.host,
        b.pid,
        b.version,
        b.startedAt,
        b.at,
        b.intervalMs,
        b.brokerNode,
        b.cpuThreads,
        b.poolUtilization,
        JSON.stringify(b.lanes),
        b.stopping === true,
      ],
    );
  }

  /** Up first, then gone, then stopped; by host and pid within each. */
  async list(status: WorkerStatus | undefined, limit: number, offset: number): Promise<WorkerRow[]> {
    return this.db.query(
      `SELECT * FROM (SELECT ${COLUMNS} FROM workers) w WHERE $1::text IS NULL OR status = $1
       ORDER BY array_position(ARRAY['up', 'gone', 'stopped'], status), host, pid LIMIT $2 OFFSET $3`,
      [status ?? null, limit, offset],
    );
  }

  /** Forgets workers last heard of longer ago than `hours`. */
  async prune(hours: number): Promise<void> {
    await this.db.query(`DELETE FROM workers WHERE last_seen_at < now() - make_interval(hours => $1)`, [
      hours,
    ]);
  }
}
