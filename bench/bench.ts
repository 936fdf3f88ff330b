/**
 * `make bench`: the raw broker figure and Conveyor's end-to-end figure, measured in one run on a
 * stack of their own, and their ratio. See scripts/bench.sh for how the stack is prepared.
 */
import { writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as amqplib from 'amqplib';
import { Client } from 'pg';
import { TASK_STATUSES, TERMINAL_STATUSES } from '@conveyor/contracts';
import { QUORUM_QUEUE_ARGS } from '@conveyor/messaging';
import { BaselineResult, bullmqBaseline, rawBrokerBaseline } from './baselines';
import { EVENTS, EventsResult, eventsBench } from './events-bench';
import { LoadResult, searchBench } from './search-bench';
import { ROOT, RunningApp, appScript, startAll, startProcess } from '../tools/apps';
import { cpuDelta, cpuSeconds, pidFromFile } from './cpu';

const TASKS = Number(process.env.BENCH_TASKS ?? 10_000);
const SUBMIT_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const env = process.env as Record<string, string>;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Publish with confirms + consume with ack, persistent messages, on a quorum queue like the work queues. */
async function rawBroker(messageSize: number): Promise<{ seconds: number; rate: number }> {
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

/** A gateway or worker on a fixed port, with the bench's environment. */
function startApp(name: 'gateway' | 'worker', port: number): Promise<RunningApp> {
  const portVar = name === 'gateway' ? 'GATEWAY_PORT' : 'WORKER_PORT';
  return startProcess({
    name,
    script: appScript(name),
    port,
    // BENCH_NODE_ARGS: extra node flags for both apps, say `--cpu-prof --cpu-prof-dir=prof` to profile them.
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    // No plans syncs here: the runs truncate the task table under a live gateway.
    env: { ...process.env, LOG_LEVEL: 'warn', SYNC_INTERVAL_SECONDS: '0', [portVar]: String(port) },
    readyWithinMs: 60_000,
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });

/** POST with a keep-alive agent: the load generator must cost far less CPU than the gateway. */
function post(url: string, body: string): Promise<number> {
  return new Promise((ok, fail) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode ?? 0));
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

interface RunResult {
  mode: string;
  /** CPU seconds each component spent during the run. */
  cpu: Record<string, number>;
  seconds: number;
  rate: number;
  submitSeconds: number;
  p50: number;
  p99: number;
}

const TASK = { type: 'demo.work', payload: { seconds: 0, cpuBound: false } };
const UNFINISHED = TASK_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));

/**
 * Polls until no task is unfinished, then checks that all succeeded. The poll reads the status
 * index for the few unfinished rows rather than counting all of them, so watching costs the
 * database little next to the run it watches.
 */
async function allSucceeded(db: Client, everyMs: number): Promise<void> {
  const deadline = performance.now() + 600_000;
  while ((await db.query(`SELECT 1 FROM tasks WHERE status = ANY($1) LIMIT 1`, [UNFINISHED])).rowCount) {
    if (performance.now() > deadline) throw new Error('the tasks did not finish in 10 min');
    await sleep(everyMs);
  }
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM tasks WHERE status = 'succeeded'`,
  );
  if (rows[0].n !== TASKS) throw new Error(`${rows[0].n} of ${TASKS} tasks succeeded`);
}

/** Submits TASKS tasks (one per POST, or 1,000 per batch) and waits until all have succeeded. */
async function conveyorRun(
  db: Client,
  url: string,
  mode: 'single' | 'batch',
  stack: () => Record<string, number>,
): Promise<RunResult> {
  await db.query('TRUNCATE tasks, outbox, task_attempts CASCADE');
  const requests =
    mode === 'single'
      ? Array.from({ length: TASKS }, () => ({ path: '/tasks', body: JSON.stringify(TASK) }))
      : Array.from({ length: Math.ceil(TASKS / 1000) }, (_, i) => ({
          path: '/tasks/batch',
          body: JSON.stringify({
            items: Array.from({ length: Math.min(1000, TASKS - i * 1000) }, () => TASK),
          }),
        }));
  const concurrency = mode === 'single' ? SUBMIT_CONCURRENCY : 4;
  const cpuBefore = stack();
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
  await allSucceeded(db, 20);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuDelta(cpuBefore, stack());
  const { rows } = await db.query<{ ms: number }>(
    `SELECT extract(epoch FROM (finished_at - created_at)) * 1000 AS ms FROM tasks ORDER BY 1`,
  );
  const latencies = rows.map((r) => Number(r.ms));
  return {
    mode,
    cpu,
    seconds,
    rate: TASKS / seconds,
    submitSeconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

interface BurstResult {
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

async function conveyor(): Promise<{ runs: RunResult[]; burst?: BurstResult; messageSize: number }> {
  const [gateway, worker] = await startAll([startApp('gateway', 3900), startApp('worker', 3901)]);
  const url = gateway.url;
  const db = new Client({ connectionString: env.DATABASE_URL });
  try {
    await db.connect();
    const run = resolve(ROOT, '.data/bench');
    const stack = () => {
      const own = process.cpuUsage();
      return {
        ...cpuSeconds({
          gateway: gateway.proc.pid,
          worker: worker.proc.pid,
          rabbitmq: pidFromFile(`${run}/run/rabbitmq.launcher.pid`),
          postgres: pidFromFile(`${run}/postgres/postmaster.pid`),
          replica: pidFromFile(`${run}/postgres-replica/postmaster.pid`),
          redis: pidFromFile(`${run}/run/redis.pid`),
        }),
        'load generator': (own.user + own.system) / 1e6,
      };
    };
    // BENCH_ONLY=batch: the batch run alone (say, to profile it).
    const batchOnly = process.env.BENCH_ONLY === 'batch';
    const runs = [await conveyorRun(db, url, 'batch', stack)];
    if (!batchOnly) runs.push(await conveyorRun(db, url, 'single', stack));
    const burst = batchOnly ? undefined : await dueBurst(db, url);
    const sample = await db.query<{ len: number }>(
      `SELECT octet_length(jsonb_build_object('id', id, 'type', type, 'priority', priority, 'payload', payload)::text) AS len FROM tasks LIMIT 1`,
    );
    return { runs, burst, messageSize: Number(sample.rows[0].len) };
  } finally {
    await db.end().catch(() => undefined);
    await Promise.all([gateway.stop(), worker.stop()]);
  }
}

async function main(): Promise<void> {
  if (process.env.BENCH_ONLY === 'search') {
    process.stdout.write(`\n${searchLines(await searchBench()).join('\n')}\n`);
    return;
  }
  if (process.env.BENCH_ONLY === 'baselines') {
    const [raw, bull] = await baselines(135);
    process.stdout.write(`\n${baselineLines(raw, bull).join('\n')}\n`);
    return;
  }
  if (process.env.BENCH_ONLY === 'events') {
    const events = await eventsBench(env.AMQP_URL);
    const raw = await rawBroker(events[0].messageBytes);
    process.stdout.write(`\n${eventsLines(events, raw.rate).join('\n')}\n`);
    return;
  }
  // Search first, on a quiet stack: run after the task runs, cached search measured 0.49 of the
  // ceiling where it measured 0.60 alone at the same commit (what they leave behind was not traced).
  const search = process.env.BENCH_ONLY ? undefined : await searchBench();
  // Conveyor (it reveals the real message size), then the broker alone with that size.
  const c = await conveyor();
  const raw = await rawBroker(c.messageSize);
  const lines = [
    `${TASKS} zero-second IO demo.work tasks per run; task message ${c.messageSize} B`,
    `raw broker (confirm publish + ack consume, persistent, quorum queue): ${raw.rate.toFixed(0)} msg/s (${raw.seconds.toFixed(2)} s)`,
  ];
  for (const r of c.runs) {
    const how =
      r.mode === 'batch'
        ? 'POST /tasks/batch x1000, 4 at once'
        : `POST /tasks, ${SUBMIT_CONCURRENCY} at once`;
    const ratio = r.rate / raw.rate;
    lines.push(
      `conveyor, ${how}: ${r.rate.toFixed(0)} tasks/s submit→all succeeded (${r.seconds.toFixed(2)} s, submission ${r.submitSeconds.toFixed(2)} s); ` +
        `latency p50 ${r.p50.toFixed(0)} ms p99 ${r.p99.toFixed(0)} ms; ratio ${ratio.toFixed(3)} ${ratio >= 0.2 ? '(>= 0.2 bar)' : '(below the 0.2 bar)'}`,
      `  CPU seconds in that run: ${Object.entries(r.cpu)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(', ')} (the machine has ${availableParallelism()} cores × ${r.seconds.toFixed(2)} s)`,
    );
  }
  const b = c.burst;
  if (b)
    lines.push(
      `${TASKS} tasks due in the same second: published ${(b.publishedP50 / 1000).toFixed(2)} s (p50) and ` +
        `${(b.publishedMax / 1000).toFixed(2)} s (all) after it; all succeeded ${(b.succeededMax / 1000).toFixed(2)} s after it`,
    );
  const [rawRight, bull] = process.env.BENCH_ONLY ? [] : await baselines(c.messageSize);
  if (rawRight && bull) {
    lines.push(...baselineLines(rawRight, bull));
    const batchRun = c.runs[0];
    lines.push(
      `  conveyor batch run ÷ raw broker (separate processes): ${(batchRun.rate / rawRight.rate).toFixed(3)}; ÷ BullMQ: ${(batchRun.rate / bull.rate).toFixed(3)}`,
    );
  }
  // Events last, with the broker measured again at the size of one event's message.
  const events = process.env.BENCH_ONLY ? undefined : await eventsBench(env.AMQP_URL);
  const rawEvents = events ? await rawBroker(events[0].messageBytes) : undefined;
  if (events && rawEvents) lines.push(...eventsLines(events, rawEvents.rate));
  if (search) lines.push(...searchLines(search));
  process.stdout.write(`\n${lines.join('\n')}\n`);
  // Flat keys, numbers only; a run that skips a part leaves its keys out.
  const [batch, single] = c.runs;
  const results: Record<string, number> = {
    raw_short_msgs_per_s: Math.round(raw.rate),
    ...(rawRight && bull
      ? {
          raw_msgs_per_s: Math.round(rawRight.rate),
          bullmq_jobs_per_s: Math.round(bull.rate),
          batch_vs_raw: round3(batch.rate / rawRight.rate),
          batch_vs_bullmq: round3(batch.rate / bull.rate),
        }
      : {}),
    batch_tasks_per_s: Math.round(batch.rate),
    batch_ratio: round3(batch.rate / raw.rate),
    ...(single ? { single_tasks_per_s: Math.round(single.rate), single_p99_ms: Math.round(single.p99) } : {}),
    ...(events && rawEvents
      ? {
          raw_event_msgs_per_s: Math.round(rawEvents.rate),
          events_per_s: Math.round(events[0].rate),
          events_ratio: round3(events[0].rate / rawEvents.rate),
          events_p50_ms: Math.round(events[0].p50),
          events_p99_ms: Math.round(events[0].p99),
          events_batched_per_s: Math.round(events[1].rate),
          events_batched_p99_ms: Math.round(events[1].p99),
        }
      : {}),
    ...(search ? { search_cached_req_per_s: Math.round(search.results[2].rps) } : {}),
  };
  writeFileSync(resolve(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const BASELINE_COUNT = Number(process.env.BENCH_BASELINE_COUNT ?? 100_000);

/** The raw broker done right, then BullMQ, each over BASELINE_COUNT messages or jobs. */
async function baselines(messageSize: number): Promise<[BaselineResult, BaselineResult]> {
  const raw = await rawBrokerBaseline(BASELINE_COUNT, messageSize);
  const bull = await bullmqBaseline(BASELINE_COUNT, env.REDIS_URL);
  return [raw, bull];
}

function baselineLines(raw: BaselineResult, bull: BaselineResult): string[] {
  return [
    `baselines, ${raw.count} each: raw broker in separate processes (window of 500 confirms, prefetch 400): ${raw.rate.toFixed(0)} msg/s (${raw.seconds.toFixed(2)} s)`,
    `  BullMQ (addBulk of 1,000, one worker process at concurrency 200, Redis appendfsync everysec): ${bull.rate.toFixed(0)} jobs/s (${bull.seconds.toFixed(2)} s)`,
  ];
}

function eventsLines(events: EventsResult[], rawRate: number): string[] {
  const lines = [
    `casino events: ${EVENTS} generated events per run, 2 workers, 1 gateway; raw broker at one event's message size (${events[0].messageBytes} B): ${rawRate.toFixed(0)} msg/s`,
  ];
  for (const e of events) {
    const ratio = e.rate / rawRate;
    const bar = e.perMessage === 1 ? ` ${ratio >= 0.3 ? '(>= 0.3 bar)' : '(below the 0.3 bar)'}` : '';
    lines.push(
      `  ${e.perMessage === 1 ? 'one event per message' : `${e.perMessage} events per message`}: ${e.rate.toFixed(0)} events/s ` +
        `publish→counted (${e.seconds.toFixed(2)} s); latency p50 ${e.p50.toFixed(0)} ms p99 ${e.p99.toFixed(0)} ms; ratio ${ratio.toFixed(3)}${bar}`,
    );
  }
  return lines;
}

function searchLines(search: Awaited<ReturnType<typeof searchBench>>): string[] {
  const [ceiling, sized, cached] = search.results;
  const lines = [
    `search: 5,000 plans, 50 one-day ranges (${search.eventsPerAnswer.toFixed(1)} plans, ${search.bytesPerAnswer.toFixed(0)} bytes per answer on average), 20 connections`,
  ];
  for (const r of search.results) {
    lines.push(
      `  ${r.what}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}` +
        (r === ceiling ? '' : `; ${(r.rps / ceiling.rps).toFixed(2)} of the ceiling`),
    );
  }
  const bar = (against: LoadResult) => (cached.rps >= against.rps / 2 && cached.p99 < 20 ? 'met' : 'NOT met');
  lines.push(
    `  cached search bar (>= 0.5 of the ceiling, p99 < 20 ms): ${bar(ceiling)} against the tiny constant, ${bar(sized)} against the same-size constant`,
  );
  return lines;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
