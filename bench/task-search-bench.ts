/**
 * `BENCH_ONLY=tasksearch`: GET /tasks?q=… (text in payload, result or error) on a table of
 * 1,000,000 finished tasks (BENCH_TASK_SEARCH_ROWS): a term one task has, a term 2 % have (their
 * errors), and one none has; 10 connections for 10 s each, the console's page of 50.
 */
import autocannon from 'autocannon';
import { Client } from 'pg';
import { authHeaders } from './auth';
import { startApp } from './runs';

const ROWS = Number(process.env.BENCH_TASK_SEARCH_ROWS ?? 1_000_000);
const CHUNK = 250_000;

export interface TaskSearchResult {
  rows: number;
  fillSeconds: number;
  runs: { what: string; path: string; matches: number; rps: number; p50: number; p99: number }[];
}

/** Finished tasks straight into the table; every 50th failed with an error naming its order. */
async function fill(db: Client): Promise<number> {
  const started = performance.now();
  await db.query('TRUNCATE tasks, outbox, task_attempts CASCADE');
  for (let done = 0; done < ROWS; done += CHUNK) {
    await db.query(
      `INSERT INTO tasks (id, type, payload, priority, status, progress, result, error, attempts, max_attempts,
         run_at, created_at, updated_at, queued_at, started_at, finished_at)
       SELECT gen_random_uuid(), 'demo.work', jsonb_build_object('seconds', 0, 'cpuBound', false, 'value', i),
         'normal', CASE WHEN i % 50 = 0 THEN 'failed' ELSE 'succeeded' END, 100,
         CASE WHEN i % 50 = 0 THEN NULL ELSE jsonb_build_object('sum', i) END,
         CASE WHEN i % 50 = 0 THEN jsonb_build_object('code', 'CARD_DECLINED', 'message', 'card declined for order ' || i, 'retryable', false) END,
         1, 1, at, at, at, at, at, at
       FROM (SELECT i, now() - random() * interval '6 days' AS at
             FROM generate_series($1::int, $1::int + $2::int - 1) AS i) AS g`,
      [done, Math.min(CHUNK, ROWS - done)],
    );
  }
  await db.query('VACUUM ANALYZE tasks');
  return (performance.now() - started) / 1000;
}

export async function taskSearchBench(): Promise<TaskSearchResult> {
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  const gateway = await startApp('gateway', 3900, { TASK_RETENTION_HOURS: '0' });
  try {
    const fillSeconds = await fill(db);
    const rare = String(Math.floor(ROWS * 0.7) + 7); // a value one task has (and a few sums contain)
    const cases = [
      ['one task', rare],
      ['2 % of the tasks (errors)', 'card declined'],
      ['no task', 'no-such-text'],
    ];
    const runs: TaskSearchResult['runs'] = [];
    for (const [what, q] of cases) {
      const path = `/tasks?q=${encodeURIComponent(q)}&limit=50`;
      const result = await autocannon({
        url: `${gateway.url}${path}`,
        connections: 10,
        duration: 10,
        headers: authHeaders(),
      });
      if (result.non2xx > 0) throw new Error(`${path}: ${result.non2xx} answers were not 2xx`);
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tasks WHERE (payload::text || ' ' || coalesce(result::text, '') || ' ' || coalesce(error::text, '')) ILIKE $1`,
        [`%${q}%`],
      );
      runs.push({
        what,
        path,
        matches: rows[0].n,
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
      });
    }
    return { rows: ROWS, fillSeconds, runs };
  } finally {
    await gateway.stop();
    await db.end();
  }
}

export function taskSearchLines(s: TaskSearchResult): string[] {
  return [
    `task search: ${s.rows} finished tasks filled in ${s.fillSeconds.toFixed(0)} s (trigram index over payload, result, error)`,
    ...s.runs.map(
      (r) =>
        `  GET ${r.path} (${r.what}: ${r.matches} match), 10 connections: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms (bar 200 ms)`,
    ),
  ];
}
