/**
 * `BENCH_ONLY=scale`: the batch run on an empty table and again with 5,000,000 finished tasks in it
 * (BENCH_SCALE_ROWS), GET /tasks?status=…&type=… latency on that table, and the batch run while a
 * retention pass deletes 1,000,000 of them (BENCH_RETENTION_ROWS, finished 200 hours ago). Each run
 * submits BENCH_SCALE_TASKS (default: the batch figure's count).
 */
import autocannon from 'autocannon';
import { Client } from 'pg';
import { startAll } from '../tools/apps';
import { authHeaders } from './auth';
import { stackCpu } from './cpu';
import { cpuLine } from './report';
import { BATCH_TASKS, RunResult, TASKS, conveyorRun, startApp } from './runs';

const ROWS = Number(process.env.BENCH_SCALE_ROWS ?? 5_000_000);
const OLD = Number(process.env.BENCH_RETENTION_ROWS ?? 1_000_000);
const CHUNK = 500_000;
// As many tasks as the batch figure: a 10,000-task run lasts ~3 s, mostly ramp, and its ratio swung 0.36–0.91.
const RUN = Number(process.env.BENCH_SCALE_TASKS ?? BATCH_TASKS);

export interface ScaleResult {
  rows: number;
  old: number;
  fillSeconds: number;
  empty: RunResult;
  full: RunResult;
  list: { path: string; rps: number; p50: number; p99: number }[];
  duringRetention: RunResult;
  deletedDuringRun: number;
  oldLeftAfterRun: number;
}

/** Finished tasks straight into the table: OLD of them 200 hours old, the rest over the last 6 days. */
async function fill(db: Client): Promise<number> {
  const started = performance.now();
  await db.query('TRUNCATE tasks, outbox, task_attempts CASCADE');
  for (let done = 0; done < ROWS; done += CHUNK) {
    const n = Math.min(CHUNK, ROWS - done);
    const old = Math.max(0, Math.min(n, OLD - done));
    await db.query(
      `INSERT INTO tasks (id, type, payload, priority, status, progress, attempts, max_attempts, run_at,
         created_at, updated_at, queued_at, started_at, finished_at)
       SELECT gen_random_uuid(), 'demo.work', '{"seconds":0,"cpuBound":false}', 'normal',
         CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'succeeded' END, 100, 1, 3, at, at, at, at, at, at
       FROM (SELECT i, CASE WHEN i < $2 THEN now() - interval '200 hours' - random() * interval '1 hour'
                            ELSE now() - random() * interval '6 days' END AS at
             FROM generate_series(0, $1 - 1) AS i) AS g`,
      [n, old],
    );
  }
  await db.query('VACUUM ANALYZE tasks');
  return (performance.now() - started) / 1000;
}

async function listLatency(
  url: string,
  path: string,
): Promise<{ path: string; rps: number; p50: number; p99: number }> {
  const result = await autocannon({
    url: `${url}${path}`,
    connections: 10,
    duration: 10,
    headers: authHeaders(),
  });
  if (result.non2xx > 0) throw new Error(`${path}: ${result.non2xx} answers were not 2xx`);
  return { path, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const oldRows = async (db: Client) =>
  (
    await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tasks WHERE created_at < now() - interval '168 hours'`,
    )
  ).rows[0].n;

export async function scaleBench(): Promise<ScaleResult> {
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  // Retention off until its own run: the old rows must stay for it.
  const [first, worker] = await startAll([
    startApp('gateway', 3900, { TASK_RETENTION_HOURS: '0' }),
    startApp('worker', 3901),
  ]);
  let gateway = first;
  const stack = () => stackCpu(() => ({ gateway: gateway.proc.pid, worker: worker.proc.pid }));
  try {
    await conveyorRun(db, gateway.url, 'batch', stack, false, TASKS); // warm-up: the first run of fresh apps is slower
    const empty = await conveyorRun(db, gateway.url, 'batch', stack, false, RUN);
    const fillSeconds = await fill(db);
    const full = await conveyorRun(db, gateway.url, 'batch', stack, true, RUN);
    const list = [
      await listLatency(gateway.url, '/tasks?status=failed&type=demo.work&limit=20'),
      await listLatency(gateway.url, '/tasks?status=succeeded&type=demo.work&limit=20&offset=100'),
    ];
    await gateway.stop();
    gateway = await startApp('gateway', 3900, { RETENTION_INTERVAL_SECONDS: '1' });
    const before = await oldRows(db);
    const duringRetention = await conveyorRun(db, gateway.url, 'batch', stack, true, RUN);
    const after = await oldRows(db);
    return {
      rows: ROWS,
      old: OLD,
      fillSeconds,
      empty,
      full,
      list,
      duringRetention,
      deletedDuringRun: before - after,
      oldLeftAfterRun: after,
    };
  } finally {
    await Promise.all([gateway.stop(), worker.stop()]);
    await db.end();
  }
}

export function scaleLines(s: ScaleResult): string[] {
  return [
    `scale: ${s.rows} finished tasks filled in ${s.fillSeconds.toFixed(0)} s`,
    `  batch run, empty table: ${s.empty.rate.toFixed(0)} tasks/s; with ${s.rows} rows: ${s.full.rate.toFixed(0)} tasks/s; ratio ${(s.full.rate / s.empty.rate).toFixed(3)} (bar 0.85)`,
    cpuLine(s.empty, 'empty table, '),
    cpuLine(s.full, 'full table, '),
    ...s.list.map(
      (l) =>
        `  GET ${l.path}, 10 connections: ${l.rps.toFixed(0)} req/s, p50 ${l.p50} ms, p99 ${l.p99} ms (bar 50 ms)`,
    ),
    `  batch run while retention deletes ${s.old} old rows: ${s.duringRetention.rate.toFixed(0)} tasks/s, ratio ${(s.duringRetention.rate / s.full.rate).toFixed(3)} to the quiet run (bar 0.8); ${s.deletedDuringRun} rows deleted during the run, ${s.oldLeftAfterRun} left`,
    cpuLine(s.duringRetention, 'retention, '),
  ];
}
