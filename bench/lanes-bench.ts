/**
 * The lanes and groups run of `make bench`, on the default worker: how fast a high backlog drains
 * beside a normal one, how long normal work waits during a high flood beyond capacity, and how
 * long a small group waits behind another group's 50,000.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { startAll } from '../tools/apps';
import { postFor, sendFor, startApp } from './runs';

export interface LanesResult {
  normalRate: number;
  highRate: number;
  flood: { tasks: number; seconds: number; backlogAt10s: number; normalWaitS: number };
  fairness: { backlog: number; waitS: number };
}

const BACKLOG = 10_000;
const FLOOD_SECONDS = 30;

const task = (priority: string, seconds: number, extra: Record<string, unknown> = {}) => ({
  type: 'demo.work',
  payload: { seconds, cpuBound: false },
  priority,
  ...extra,
});

async function submit(url: string, items: unknown[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < items.length; i += 1000) {
    const res = await postFor(`${url}/tasks/batch`, JSON.stringify({ items: items.slice(i, i + 1000) }));
    if (res.status !== 201) throw new Error(`POST /tasks/batch answered ${res.status}`);
    ids.push(...(JSON.parse(res.body) as { items: { id: string }[] }).items.map((t) => t.id));
  }
  return ids;
}

/** Polls until every one of `ids` finished; answers the last finish. */
async function finished(db: Client, ids: string[]): Promise<Date> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const { rows } = await db.query<{ open: number; last: Date }>(
      `SELECT count(*) FILTER (WHERE finished_at IS NULL)::int AS open, max(finished_at) AS last
       FROM tasks WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    if (rows[0].open === 0) return rows[0].last;
    if (Date.now() > deadline) throw new Error('the tasks did not finish in 10 min');
    await sleep(50);
  }
}

/** BACKLOG zero-second tasks of one lane, all due at the same moment: tasks/s from then. */
async function drain(db: Client, url: string, priority: string): Promise<number> {
  await db.query('TRUNCATE tasks, outbox, task_attempts CASCADE');
  const dueAt = new Date(Date.now() + 8000);
  const ids = await submit(
    url,
    Array.from({ length: BACKLOG }, () => task(priority, 0, { runAt: dueAt.toISOString() })),
  );
  if (Date.now() >= dueAt.getTime()) throw new Error('the backlog took longer to submit than planned');
  return BACKLOG / (((await finished(db, ids)).getTime() - dueAt.getTime()) / 1000);
}

/** 1,500 high tasks of 0.2 s a second (220 slots run 1,100); 50 normal ones 10 s in. */
async function flood(db: Client, url: string): Promise<LanesResult['flood']> {
  await db.query('TRUNCATE tasks, outbox, task_attempts CASCADE');
  const ids: string[] = [];
  const started = Date.now();
  let normal: { ids: string[]; at: number; backlog: number } | undefined;
  for (let tick = 0; Date.now() - started < FLOOD_SECONDS * 1000; tick++) {
    const next = started + tick * 100;
    if (Date.now() < next) await sleep(next - Date.now());
    ids.push(
      ...(await submit(
        url,
        Array.from({ length: 150 }, () => task('high', 0.2)),
      )),
    );
    if (!normal && Date.now() - started >= 10_000) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tasks WHERE finished_at IS NULL AND priority = 'high'`,
      );
      normal = {
        at: Date.now(),
        backlog: rows[0].n,
        ids: await submit(
          url,
          Array.from({ length: 50 }, () => task('normal', 0.2)),
        ),
      };
    }
  }
  const seconds = (Date.now() - started) / 1000;
  if (!normal) throw new Error('the flood ended before the normal tasks went in');
  const last = await finished(db, normal.ids);
  await finished(db, ids);
  return {
    tasks: ids.length,
    seconds,
    backlogAt10s: normal.backlog,
    normalWaitS: (last.getTime() - normal.at) / 1000,
  };
}

/** Group `big` (concurrency 10) has 50,000 waiting; seconds until group `small`'s 10 all started. */
async function fairness(db: Client, url: string): Promise<LanesResult['fairness']> {
  await db.query('TRUNCATE tasks, outbox, task_attempts CASCADE');
  const put = await sendFor('PUT', `${url}/groups/big`, JSON.stringify({ concurrency: 10 }));
  if (put.status !== 201 && put.status !== 200) throw new Error(`PUT /groups/big answered ${put.status}`);
  const big = Array.from({ length: 50_000 }, () => task('normal', 0, { group: 'big' }));
  const bigIds: string[] = [];
  for (let i = 0; i < big.length; i += 4000) {
    const parts = await Promise.all(
      [0, 1, 2, 3].map((k) => submit(url, big.slice(i + k * 1000, i + (k + 1) * 1000))),
    );
    bigIds.push(...parts.flat());
  }
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM outbox WHERE group_name = 'big'`,
  );
  const at = Date.now();
  const small = await submit(
    url,
    Array.from({ length: 10 }, () => task('normal', 0, { group: 'small' })),
  );
  const deadline = Date.now() + 60_000;
  let waitS = NaN;
  while (Date.now() < deadline) {
    const started = await db.query<{ n: number; last: Date }>(
      `SELECT count(*)::int AS n, max(started_at) AS last FROM task_attempts WHERE task_id = ANY($1::uuid[])`,
      [small],
    );
    if (started.rows[0].n === 10) {
      waitS = (started.rows[0].last.getTime() - at) / 1000;
      break;
    }
    await sleep(20);
  }
  await sendFor('DELETE', `${url}/groups/big`, '');
  await finished(db, bigIds);
  return { backlog: rows[0].n, waitS };
}

export async function lanesBench(): Promise<LanesResult> {
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  const apps = await startAll([startApp('gateway', 3900), startApp('worker', 3901)]);
  try {
    const url = apps[0].url;
    const normalRate = await drain(db, url, 'normal');
    const highRate = await drain(db, url, 'high');
    return { normalRate, highRate, flood: await flood(db, url), fairness: await fairness(db, url) };
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    await db.end();
  }
}

export function lanesLines(l: LanesResult): string[] {
  const ratio = l.highRate / l.normalRate;
  return [
    `lanes: ${BACKLOG} zero-second tasks due at once: normal ${l.normalRate.toFixed(0)} tasks/s, high ${l.highRate.toFixed(0)} tasks/s; ` +
      `high ÷ normal ${ratio.toFixed(3)} ${ratio >= 0.9 ? '(>= 0.9 bar)' : '(below the 0.9 bar)'}`,
    `  high flood of ${l.flood.tasks} tasks of 0.2 s over ${l.flood.seconds.toFixed(1)} s (${l.flood.backlogAt10s} unfinished at 10 s): ` +
      `50 normal tasks submitted then all finished in ${l.flood.normalWaitS.toFixed(2)} s ${l.flood.normalWaitS < 10 ? '(< 10 s bar)' : '(above the 10 s bar)'}`,
    `  groups: 10 tasks of a second group all started ${l.fairness.waitS.toFixed(2)} s after submission, behind ${l.fairness.backlog} waiting ` +
      `of a group at concurrency 10 ${l.fairness.waitS < 2 ? '(< 2 s bar)' : '(above the 2 s bar)'}`,
  ];
}

export function lanesResults(l: LanesResult): Record<string, number> {
  const r3 = (n: number) => Math.round(n * 1000) / 1000;
  return {
    lane_ratio: r3(l.highRate / l.normalRate),
    starvation_s: r3(l.flood.normalWaitS),
    fairness_s: r3(l.fairness.waitS),
  };
}
