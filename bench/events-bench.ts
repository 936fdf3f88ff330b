/**
 * The casino events scenario of `make bench`: 100,000 generated events published at full speed
 * straight to conveyor.events (one per message, as the source's publisher does; then 100 per
 * message), two workers and a gateway, until events_total has counted them all.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as amqplib from 'amqplib';
import { ROOT, RunningApp, appScript, startAll, startProcess } from '../tools/apps';
import { authHeaders } from './auth';
import { benchEnv } from './runs';
import { eventMessage, generateEvent } from '../tools/events-generator';

export const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const PORTS = { gateway: 3920, workers: [3921, 3922], sim: 3923 };

export interface EventsResult {
  perMessage: number;
  rate: number;
  seconds: number;
  p50: number;
  p99: number;
  messageBytes: number;
}

function start(name: 'gateway' | 'worker' | 'provider-sim', port: number, extra: Record<string, string>) {
  const logs = resolve(ROOT, '.data/bench/logs');
  mkdirSync(logs, { recursive: true });
  return startProcess({
    name,
    script: appScript(name),
    port,
    env: benchEnv(name, port, extra),
    // Like `make up`: the gateway's event lines go to a file, not through the load generator.
    stdoutFile: name === 'gateway' ? resolve(logs, 'events.log') : undefined,
    readyWithinMs: 60_000,
  });
}

async function counted(gateway: RunningApp): Promise<number> {
  try {
    const res = await fetch(`${gateway.url}/materialized`, { headers: authHeaders() });
    return ((await res.json()) as { events_total: number }).events_total;
  } catch (err) {
    throw new Error(
      `GET /materialized failed (${String(err)}); the gateway said:\n${gateway.output().slice(-3000)}`,
    );
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/**
 * Publishes EVENTS events, `perMessage` to a message, through one confirm channel with windows of
 * 500 messages in flight, and samples events_total until all are counted. Latency of the k-th
 * event: when the count reached k, less when the k-th was published (the stream is about FIFO).
 */
async function run(
  gateway: RunningApp,
  amqpUrl: string,
  perMessage: number,
  firstId: number,
): Promise<EventsResult> {
  const before = await counted(gateway);
  const conn = await amqplib.connect(amqpUrl);
  const ch = await conn.createConfirmChannel();
  const publishedAt: number[] = [];
  const reachedAt: number[] = [];
  let messageBytes = 0;
  let watching = true;
  const started = performance.now();
  const watcher = (async () => {
    let seen = 0;
    while (watching) {
      const n = (await counted(gateway)) - before;
      const now = performance.now();
      for (; seen < n; seen++) reachedAt.push(now);
      if (n >= EVENTS) return;
      await sleep(10);
    }
  })();
  let id = firstId;
  for (let sent = 0; sent < EVENTS;) {
    for (let m = 0; m < 500 && sent < EVENTS; m++) {
      const n = Math.min(perMessage, EVENTS - sent);
      const message = eventMessage(
        Array.from({ length: n }, () => generateEvent(id++)),
        perMessage > 1,
      );
      messageBytes = message.body.length;
      ch.publish('conveyor.events', message.routingKey, message.body, message.options);
      const now = performance.now();
      for (let i = 0; i < n; i++) publishedAt.push(now);
      sent += n;
    }
    await ch.waitForConfirms();
  }
  const deadline = performance.now() + 600_000;
  while (reachedAt.length < EVENTS && performance.now() < deadline) await sleep(50);
  watching = false;
  await watcher;
  await conn.close();
  if (reachedAt.length < EVENTS) throw new Error(`${reachedAt.length} of ${EVENTS} events counted in 10 min`);
  const seconds = (reachedAt[EVENTS - 1] - started) / 1000;
  const latencies = reachedAt.map((t, k) => t - publishedAt[k]).sort((a, b) => a - b);
  return {
    perMessage,
    rate: EVENTS / seconds,
    seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    messageBytes,
  };
}

/** Both runs on one gateway and two workers; the provider simulator serves the events rate table. */
export async function eventsBench(amqpUrl: string): Promise<EventsResult[]> {
  const sim = await start('provider-sim', PORTS.sim, {});
  const provider = { EVENTS_RATES_PROVIDER_URL: `${sim.url}/events-rates` };
  try {
    const apps = await startAll([
      start('gateway', PORTS.gateway, provider),
      ...PORTS.workers.map((port) => start('worker', port, provider)),
    ]);
    try {
      const first = Date.now() * 1000;
      const single = await run(apps[0], amqpUrl, 1, first);
      const batched = await run(apps[0], amqpUrl, 100, first + EVENTS);
      return [single, batched];
    } finally {
      await Promise.all(apps.map((app) => app.stop()));
    }
  } finally {
    await sim.stop();
  }
}
