/**
 * The task runs of `make bench`: the in-process raw broker figure, Conveyor end to end (a batch
 * run and a single-POST run), and a burst of tasks due in the same second.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as amqplib from 'amqplib';
import { Client } from 'pg';
import { QUORUM_QUEUE_ARGS } from '@conveyor/messaging';
import { startAll } from '../tools/apps';
import { stackCpu } from './cpu';
import { RunResult, TASK, TASKS, allSucceeded, conveyorRun, percentile, post, startApp } from './runs';

export { SUBMIT_CONCURRENCY, TASKS } from './runs';
export type { RunResult } from './runs';

const env = process.env as Record<string, string>;

/** Publish with confirms + consume with ack, persistent messages, on a quorum queue like the work queues. */
export async function rawBroker(messageSize: number): Promise<{ seconds: number; rate: number }> {
  const queue = 'bench.raw';
  const setup = await amqplib.connect(env.AMQP_URL);
  const admin = await setup.createChannel();
  await admin.assertExchange('conveyor.dlx', 'fanout', { durable: true });
  await admin.deleteQueue(queue);
  await admin.assertQueue(queue, { durable: true, arguments: QUORUM_QUEUE_ARGS });

  const consumerConn = await amqplib.connect(env.AMQP_URL);
  const consumer = await consumerConn.createChannel();
  await consumer.prefetch(100);
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((ok) => (done = ok));
  await consumer.consume(queue, (msg) => {
    if (!msg) return;
    consumer.ack(msg);
    if (++received === TASKS) done();
  });

  const publisherConn = await amqplib.connect(env.AMQP_URL);
  const publisher = await publisherConn.createConfirmChannel();
  const body = Buffer.alloc(messageSize, 'x');
  const started = performance.now();
  // Same shape as the relay: batches of confirmed publishes in flight together.
  for (let sent = 0; sent < TASKS;) {
    const n = Math.min(500, TASKS - sent);
    for (let i = 0; i < n; i++) {
      publisher.publish('', queue, body, {
        persistent: true,
        mandatory: true,
        contentType: 'application/json',
      });
    }
    await publisher.waitForConfirms();
    sent += n;
  }
  await all;
  const seconds = (performance.now() - started) / 1000;
  await admin.deleteQueue(queue);
  for (const c of [publisherConn, consumerConn, setup]) await c.close();
  return { seconds, rate: TASKS / seconds };
}

export interface BurstResult {
  publishedP50: number;
  publishedMax: number;
  succeededMax: number;
}

/** TASKS tasks all due in the same second: how long after it the relay has published them all. */
async function dueBurst(db: Client, url: string): Promise<BurstResult> {
  await db.query('TRUNCATE tasks, outbox, task_attempts CASCADE');
  const dueAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 20_000);
  const item = { ...TASK, runAt: dueAt.toISOString() };
  for (let i = 0; i < TASKS; i += 1000) {
    const items = Array.from({ length: Math.min(1000, TASKS - i) }, () => item);
    const status = await post(`${url}/tasks/batch`, JSON.stringify({ items }));
    if (status !== 201) throw new Error(`/tasks/batch answered ${status}`);
  }
  if (Date.now() >= dueAt.getTime()) throw new Error('submission took longer than the lead time');
  await allSucceeded(db, 50);
  const { rows } = await db.query<{ queued: number; finished: number }>(
    `SELECT extract(epoch FROM (queued_at - $1::timestamptz)) * 1000 AS queued,
       extract(epoch FROM (finished_at - $1::timestamptz)) * 1000 AS finished FROM tasks`,
    [dueAt],
  );
  const queued = rows.map((r) => Number(r.queued)).sort((a, b) => a - b);
  return {
    publishedP50: percentile(queued, 50),
    publishedMax: queued[queued.length - 1],
    succeededMax: Math.max(...rows.map((r) => Number(r.finished))),
  };
}

export interface SteadyResult {
  rate: number;
  count: number;
  p50: number;
  p99: number;
}

export const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE ?? 500);
const STEADY_SECONDS = 10;

/**
 * Open loop: one POST /tasks every 1/STEADY_RATE s for 10 s, each sent on schedule whether or not
 * the earlier ones were answered; then createdAt to finishedAt of each, from the database.
 */
async function steadyRun(db: Client, url: string): Promise<SteadyResult> {
  await db.query('TRUNCATE tasks, outbox, task_attempts CASCADE');
  const count = STEADY_RATE * STEADY_SECONDS;
  const body = JSON.stringify(TASK);
  const started = performance.now();
  const sent: Promise<number>[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / STEADY_RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    sent.push(post(`${url}/tasks`, body));
  }
  const statuses = await Promise.all(sent);
  const refused = statuses.filter((s) => s !== 201).length;
  if (refused) throw new Error(`${refused} of ${count} steady submissions were refused`);
  await allSucceeded(db, 20, count);
  const { rows } = await db.query<{ ms: number }>(
    `SELECT extract(epoch FROM (finished_at - created_at)) * 1000 AS ms FROM tasks ORDER BY 1`,
  );
  const latencies = rows.map((r) => Number(r.ms));
  return { rate: STEADY_RATE, count, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export async function conveyor(): Promise<{
  runs: RunResult[];
  /** The batch and single runs again with AUTH=off (empty for BENCH_ONLY=batch or single). */
  unauthenticated: RunResult[];
  burst?: BurstResult;
  steady?: SteadyResult;
  messageSize: number;
}> {
  const [firstGateway, worker] = await startAll([startApp('gateway', 3900), startApp('worker', 3901)]);
  let gateway = firstGateway;
  const url = gateway.url;
  const db = new Client({ connectionString: env.DATABASE_URL });
  try {
    await db.connect();
    const stack = () => stackCpu(() => ({ gateway: gateway.proc.pid, worker: worker.proc.pid }));
    // BENCH_ONLY=batch or single: that run alone (say, to profile it).
    const only = process.env.BENCH_ONLY;
    const oneRun = only === 'batch' || only === 'single';
    // A warm-up on fresh apps before each gateway's measured runs: otherwise the first run alone pays
    // for JIT, pools and caches, and the AUTH=off gateway (started later) is compared warm against cold.
    const warmUp = () => conveyorRun(db, url, 'batch', stack, false, TASKS);
    await warmUp();
    const runs: RunResult[] = [];
    if (only !== 'single') runs.push(await conveyorRun(db, url, 'batch', stack));
    if (only !== 'batch') runs.push(await conveyorRun(db, url, 'single', stack));
    const steady = oneRun ? undefined : await steadyRun(db, url);
    const burst = oneRun ? undefined : await dueBurst(db, url);
    // The same two runs on a gateway with AUTH=off: what keys, scopes and rate limits cost.
    const unauthenticated: RunResult[] = [];
    if (!oneRun) {
      await gateway.stop();
      gateway = await startApp('gateway', 3900, { AUTH: 'off' });
      await warmUp();
      unauthenticated.push(await conveyorRun(db, url, 'batch', stack));
      unauthenticated.push(await conveyorRun(db, url, 'single', stack));
    }
    const sample = await db.query<{ len: number }>(
      `SELECT octet_length(jsonb_build_object('id', id, 'type', type, 'priority', priority, 'payload', payload)::text) AS len FROM tasks LIMIT 1`,
    );
    return { runs, unauthenticated, burst, steady, messageSize: Number(sample.rows[0].len) };
  } finally {
    await db.end().catch(() => undefined);
    await Promise.all([gateway.stop(), worker.stop()]);
  }
}
