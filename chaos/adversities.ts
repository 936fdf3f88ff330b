/**
 * The adversities of a public benchmark of PostgreSQL-backed job queues
 * (hardbyte/postgresql-job-queue-benchmarking), adapted: the gateways' sessions terminated, their
 * pool saturated, a retry storm, and a session holding the cluster's xmin while tasks flow.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { call, callAny } from './client';
import { Ledger, count, submitBatch } from './workload';

export const CHAOS_APP = 'conveyor-chaos';

/** A session of the chaos run's own, named so the terminations below spare it. */
export async function session(): Promise<Client> {
  const db = new Client({ connectionString: process.env.DATABASE_URL, application_name: CHAOS_APP });
  db.on('error', () => undefined);
  await db.connect();
  return db;
}

/** Polls until `probe` answers something, or fails after `ms`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(250);
  }
}

/** Waits (at most 5 minutes) until every one of `ids` has finished. */
export function allFinished(db: Client, ids: string[], what: string): Promise<true> {
  return waitFor(
    `${what} to finish`,
    async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[]) AND finished_at IS NULL`,
        [ids],
      );
      return rows[0].n === 0 ? true : undefined;
    },
    300_000,
  );
}

/** Milliseconds until a POST through `gateways` answers 201; throws with the last answer after `ms`. */
export async function firstAccepted(gateways: () => string[], ledger: Ledger, ms: number): Promise<number> {
  const started = Date.now();
  let last = 0;
  for (;;) {
    const r = await callAny(gateways, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 0, cpuBound: false },
    });
    if (r.status === 201) {
      ledger.accepted.add(r.body.id as string);
      return Date.now() - started;
    }
    last = r.status;
    if (Date.now() - started > ms)
      throw new Error(
        `no task accepted within ${ms / 1000} s; last answer ${last}: ${JSON.stringify(r.body)}`,
      );
    await sleep(250);
  }
}

/** Terminates every session but the chaos run's own, once a second for `seconds`: answers how many. */
export async function terminateBackends(seconds: number): Promise<number> {
  const db = await session();
  let terminated = 0;
  try {
    for (let i = 0; i < seconds; i += 1) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND backend_type = 'client backend'
            AND application_name <> $1 AND pid <> pg_backend_pid()`,
        [CHAOS_APP],
      );
      terminated += rows[0].n;
      await sleep(1000);
    }
  } finally {
    await db.end();
  }
  return terminated;
}

export interface Saturation {
  requests: number;
  answered: Record<string, number>;
  longestMs: number;
  /** From the release until a new task was accepted. */
  recoveredMs: number;
}

/**
 * Every pooled connection of the gateways stuck in a slow statement: the tasks table locked against
 * writes for `seconds` while 60 submissions arrive; then released. Answers how they were answered
 * and how soon a new submission was accepted.
 */
export async function saturatePool(
  gateways: () => string[],
  ledger: Ledger,
  seconds: number,
): Promise<Saturation> {
  const db = await session();
  const answered: Record<string, number> = {};
  let longest = 0;
  await db.query('BEGIN');
  await db.query('LOCK TABLE tasks IN SHARE ROW EXCLUSIVE MODE');
  const bases = gateways();
  const requests = Array.from({ length: 60 }, (_, i) =>
    call(
      bases[i % bases.length],
      'POST',
      '/tasks',
      { type: 'demo.work', payload: { seconds: 0, cpuBound: false } },
      60_000,
    ).then((r) => {
      answered[r.status] = (answered[r.status] ?? 0) + 1;
      count(ledger, `saturated submissions answered ${r.status}`);
      longest = Math.max(longest, r.ms);
      if (r.status === 201) ledger.accepted.add(r.body.id as string);
    }),
  );
  await sleep(seconds * 1000);
  await db.query('ROLLBACK');
  await db.end();
  const recoveredMs = await firstAccepted(gateways, ledger, 30_000);
  await Promise.all(requests);
  return { requests: requests.length, answered, longestMs: longest, recoveredMs };
}

export interface Storm {
  tasks: number;
  /** Tasks that ended succeeded on attempt 3 with attempts 1 and 2 failed, nothing else. */
  asExpected: number;
  seconds: number;
}

/** 2,000 tasks failing retryably twice, submitted at once; each must succeed on its third attempt. */
export async function retryStorm(gateways: () => string[], ledger: Ledger, db: Client): Promise<Storm> {
  const started = Date.now();
  const item = {
    type: 'demo.work',
    payload: { seconds: 0, cpuBound: false, failAttempts: 2 },
    maxAttempts: 3,
  };
  const ids = (
    await Promise.all(
      [0, 1].map(() =>
        submitBatch(
          gateways,
          ledger,
          Array.from({ length: 1000 }, () => item),
        ),
      ),
    )
  ).flat();
  await allFinished(db, ids, 'the retry storm');
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM tasks t WHERE t.id = ANY($1::uuid[]) AND t.status = 'succeeded' AND t.attempts = 3
        AND (SELECT array_agg(a.status ORDER BY a.attempt) FROM task_attempts a WHERE a.task_id = t.id)
            = ARRAY['failed', 'failed', 'succeeded']`,
    [ids],
  );
  return { tasks: ids.length, asExpected: rows[0].n, seconds: (Date.now() - started) / 1000 };
}
