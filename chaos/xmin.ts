/**
 * An idle-in-transaction session holding the cluster's xmin while 200 tasks a second flow: dead
 * tuples of the hot tables, submit-to-finish p99 before, during and after, and the recovery.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { allFinished, session } from './adversities';
import { Ledger, submitBatch } from './workload';

export interface XminHold {
  holdSeconds: number;
  /** Tasks a second actually submitted during the hold. */
  rate: number;
  p99Ms: { before: number; during: number; after: number };
  deadTuples: { table: string; before: number; peak: number; after: number }[];
  /** From the release until a 5 s window's p99 was back within twice the p99 before. */
  recoverySeconds: number | null;
}

const TABLES = ['tasks', 'outbox', 'task_attempts'];

async function deadTuples(db: Client): Promise<Map<string, number>> {
  const { rows } = await db.query<{ relname: string; n: string }>(
    `SELECT relname, n_dead_tup AS n FROM pg_stat_user_tables WHERE relname = ANY($1)`,
    [TABLES],
  );
  return new Map(rows.map((r) => [r.relname, Number(r.n)]));
}

/** Submits 20 tasks every 100 ms (at most 10 requests in flight) until `until`; answers their ids by submit time. */
async function stream(
  gateways: () => string[],
  ledger: Ledger,
  until: number,
): Promise<[number, string[]][]> {
  const submitted: [number, string[]][] = [];
  const inFlight = new Set<Promise<void>>();
  const item = { type: 'demo.work', payload: { seconds: 0, cpuBound: false } };
  for (let tick = Date.now(); tick < until; tick += 100) {
    if (inFlight.size < 10) {
      const at = Date.now();
      const p: Promise<void> = submitBatch(
        gateways,
        ledger,
        Array.from({ length: 20 }, () => item),
      ).then((ids) => {
        submitted.push([at, ids]);
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await sleep(Math.max(0, tick + 100 - Date.now()));
  }
  await Promise.all(inFlight);
  return submitted;
}

async function latencies(db: Client, ids: string[]): Promise<{ created: number; ms: number }[]> {
  const { rows } = await db.query<{ created: Date; ms: number }>(
    `SELECT created_at AS created, extract(epoch FROM finished_at - created_at) * 1000 AS ms
       FROM tasks WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return rows.map((r) => ({ created: r.created.getTime(), ms: Number(r.ms) }));
}

function p99(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))] ?? NaN);
}

export async function holdXmin(
  gateways: () => string[],
  ledger: Ledger,
  db: Client,
  holdS: number,
): Promise<XminHold> {
  const beforeS = 30;
  const afterS = 60;
  const t0 = Date.now();
  const flow = stream(gateways, ledger, t0 + (beforeS + holdS + afterS) * 1000);
  await sleep(beforeS * 1000);
  const holder = await session();
  await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  await holder.query('SELECT txid_current()'); // an xid of its own: vacuum keeps every row version since
  const held = Date.now();
  const before = await deadTuples(db);
  const peak = new Map(before);
  while (Date.now() < held + holdS * 1000) {
    await sleep(Math.min(10_000, held + holdS * 1000 - Date.now()));
    for (const [t, n] of await deadTuples(db)) peak.set(t, Math.max(peak.get(t) ?? 0, n));
  }
  await holder.query('COMMIT');
  await holder.end();
  const released = Date.now();
  const submitted = await flow;
  const ids = submitted.flatMap(([, batch]) => batch);
  await allFinished(db, ids, 'the streamed tasks');
  const after = await deadTuples(db);
  const all = await latencies(db, ids);
  const window = (from: number, to: number) =>
    all.filter((l) => l.created >= from && l.created < to).map((l) => l.ms);
  const p99Before = p99(window(t0, held));
  let recoverySeconds: number | null = null;
  for (let from = released; from < released + afterS * 1000; from += 5000) {
    const xs = window(from, from + 5000);
    if (xs.length > 0 && p99(xs) <= Math.max(2 * p99Before, p99Before + 250)) {
      recoverySeconds = (from - released) / 1000;
      break;
    }
  }
  const duringCount = submitted
    .filter(([at]) => at >= held && at < released)
    .reduce((n, [, b]) => n + b.length, 0);
  return {
    holdSeconds: holdS,
    rate: Math.round(duringCount / ((released - held) / 1000)),
    p99Ms: {
      before: p99Before,
      during: p99(window(held, released)),
      after: p99(window(released, Date.now())),
    },
    deadTuples: TABLES.map((t) => ({
      table: t,
      before: before.get(t) ?? 0,
      peak: peak.get(t) ?? 0,
      after: after.get(t) ?? 0,
    })),
    recoverySeconds,
  };
}
