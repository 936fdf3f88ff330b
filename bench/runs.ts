/**
 * What every Conveyor run of `make bench` shares: the apps on fixed ports, the load generator's
 * POST, and one run (batch or one POST per task) from the first submission until all succeeded.
 */
import * as http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { TASK_STATUSES, TERMINAL_STATUSES } from '@conveyor/contracts';
import { AppName, PORT_VARIABLE, RunningApp, amqpUrlFor, appScript, startProcess } from '../tools/apps';
import { authHeaders } from './auth';
import { cpuDelta } from './cpu';

/** The short runs: the in-process raw broker, the due burst and the scale runs. */
export const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);
/** The batch run covers the baselines' work (100,000); one POST per task is slower, so fewer. */
export const BATCH_TASKS = Number(process.env.BENCH_BATCH_TASKS ?? 100_000);
export const SINGLE_TASKS = Number(process.env.BENCH_SINGLE_TASKS ?? 20_000);
export const SUBMIT_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * The environment of a bench app on `port`: quiet logs, no scheduled plans syncs (the runs truncate
 * the task table under a live gateway), its own broker user, then `extra`.
 */
export function benchEnv(name: AppName, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LOG_LEVEL: 'warn',
    SYNC_INTERVAL_SECONDS: '0',
    [PORT_VARIABLE[name]]: String(port),
    AMQP_URL: amqpUrlFor(name, process.env),
    ...extra,
  };
}

/** A gateway or worker on a fixed port, with the bench's environment. */
export function startApp(
  name: 'gateway' | 'worker',
  port: number,
  extra: Record<string, string> = {},
): Promise<RunningApp> {
  return startProcess({
    name,
    script: appScript(name),
    port,
    // BENCH_NODE_ARGS: extra node flags for both apps, say `--cpu-prof --cpu-prof-dir=prof` to profile them.
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    env: benchEnv(name, port, extra),
    readyWithinMs: 60_000,
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });

/** POST with a keep-alive agent: the load generator must cost far less CPU than the gateway. */
export async function post(url: string, body: string): Promise<number> {
  return (await postFor(url, body, false)).status;
}

/** POST, answering the status and, when asked, the body (otherwise it is drained unread). */
export function postFor(url: string, body: string, read = true): Promise<{ status: number; body: string }> {
  return sendFor('POST', url, body, read);
}

/** A request with a JSON body (PUT, DELETE ...), answered as postFor answers. */
export function sendFor(
  method: string,
  url: string,
  body: string,
  read = true,
): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: {
          ...authHeaders(),
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        if (read) res.on('data', (c: Buffer) => chunks.push(c));
        else res.resume();
        res.on('end', () =>
          ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

export interface RunResult {
  mode: string;
  /** Tasks in the run. */
  count: number;
  /** CPU seconds each component spent during the run. */
  cpu: Record<string, number>;
  /** WAL the primary wrote during the run, in bytes (all of the database's writes, replicated). */
  walBytes: number;
  seconds: number;
  rate: number;
  submitSeconds: number;
  p50: number;
  p99: number;
}

export const TASK = { type: 'demo.work', payload: { seconds: 0, cpuBound: false } };
const UNFINISHED = TASK_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));

const walLsn = async (db: Client) =>
  (await db.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;

/**
 * Polls until no task is unfinished, then checks that all succeeded. The poll reads the status
 * index for the few unfinished rows rather than counting all of them, so watching costs the
 * database little next to the run it watches. Answers when the last task finished: the check
 * after it reads the run's own rows and is not part of the run.
 */
export async function allSucceeded(
  db: Client,
  everyMs: number,
  expected = TASKS,
  since?: Date,
): Promise<number> {
  const deadline = performance.now() + 600_000;
  // Statistics taken while the run's rows were unfinished make `LIMIT 1` look cheapest as a scan of
  // the whole table, which at the end reads every finished row: 10 ms a poll, 4.2 s of the
  // database's statement time in a 100,000-task run. The status index skips them.
  await db.query('SET enable_seqscan = off');
  try {
    while ((await db.query(`SELECT 1 FROM tasks WHERE status = ANY($1) LIMIT 1`, [UNFINISHED])).rowCount) {
      if (performance.now() > deadline) throw new Error('the tasks did not finish in 10 min');
      await sleep(everyMs);
    }
  } finally {
    await db.query('RESET enable_seqscan');
  }
  const finished = performance.now();
  // Two statements, not `$1 IS NULL OR …`: the OR would hide the created_at range from the index.
  const { rows } = since
    ? await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tasks WHERE status = 'succeeded' AND created_at >= $1`,
        [since],
      )
    : await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE status = 'succeeded'`);
  if (rows[0].n !== expected) throw new Error(`${rows[0].n} of ${expected} tasks succeeded`);
  return finished;
}

/**
 * Submits `count` tasks (one per POST, or 1,000 per batch; by default BATCH_TASKS or SINGLE_TASKS)
 * and waits until all have succeeded.
 */
export async function conveyorRun(
  db: Client,
  url: string,
  mode: 'single' | 'batch',
  stack: () => Record<string, number>,
  /** Leave the tasks already in the table (the scale runs); only the run's own are counted. */
  keep = false,
  count = mode === 'single' ? SINGLE_TASKS : BATCH_TASKS,
): Promise<RunResult> {
  const since = keep ? new Date(Date.now() - 1000) : undefined;
  if (!keep) await db.query('TRUNCATE tasks, outbox, task_attempts CASCADE');
  const requests =
    mode === 'single'
      ? Array.from({ length: count }, () => ({ path: '/tasks', body: JSON.stringify(TASK) }))
      : Array.from({ length: Math.ceil(count / 1000) }, (_, i) => ({
          path: '/tasks/batch',
          body: JSON.stringify({
            items: Array.from({ length: Math.min(1000, count - i * 1000) }, () => TASK),
          }),
        }));
  const concurrency = mode === 'single' ? SUBMIT_CONCURRENCY : 4;
  const cpuBefore = stack();
  const walBefore = await walLsn(db);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const r = requests[next++];
        const status = await post(`${url}${r.path}`, r.body);
        if (status !== 201) throw new Error(`${r.path} answered ${status}`);
      }
    }),
  );
  const submitSeconds = (performance.now() - started) / 1000;
  const seconds = ((await allSucceeded(db, 20, count, since)) - started) / 1000;
  const cpu = cpuDelta(cpuBefore, stack());
  const { rows: wal } = await db.query<{ bytes: string }>(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::text AS bytes`,
    [walBefore],
  );
  const { rows } = await db.query<{ ms: number }>(
    `SELECT extract(epoch FROM (finished_at - created_at)) * 1000 AS ms FROM tasks
     WHERE $1::timestamptz IS NULL OR created_at >= $1 ORDER BY 1`,
    [since ?? null],
  );
  const latencies = rows.map((r) => Number(r.ms));
  return {
    mode,
    cpu,
    walBytes: Number(wal[0].bytes),
    seconds,
    count,
    rate: count / seconds,
    submitSeconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
