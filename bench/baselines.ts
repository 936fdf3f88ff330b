/**
 * The baselines of `make bench`, measured beside Conveyor in the same run: the raw broker done
 * right (publisher and consumer in their own processes, a sliding window of confirms) and BullMQ,
 * what a user would pick instead (Redis with appendfsync everysec, as the bench's Redis runs).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { Queue } from 'bullmq';
import { ROOT } from '../tools/apps';
import { BULLMQ_QUEUE } from './baseline-proc';
import { stackCpu } from './cpu';

const SCRIPT = resolve(ROOT, 'dist/bench/baseline-proc.js');

/** Starts a baseline process; `line(key)` resolves with the first JSON line holding that key. */
function proc(args: string[]) {
  const child: ChildProcess = spawn('node', [SCRIPT, ...args], {
    cwd: ROOT,
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, number | boolean>[] = [];
  const waiting: { key: string; ok: (v: number) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as Record<string, number>;
    lines.push(line);
    for (const w of waiting.filter((x) => x.key in line)) w.ok(line[w.key]);
  });
  const exited = new Promise<void>((ok, fail) =>
    child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`${args[0]} exited with ${code}`)))),
  );
  return {
    exited,
    line: (key: string) =>
      new Promise<number>((ok, fail) => {
        const seen = lines.find((l) => key in l);
        if (seen) return ok(seen[key] as number);
        waiting.push({ key, ok });
        void exited.then(() => fail(new Error(`${args[0]} ended without ${key}`)), fail);
      }),
  };
}

export interface BaselineResult {
  count: number;
  seconds: number;
  rate: number;
  /** CPU seconds the broker (RabbitMQ or Redis) spent from start to end, beside Conveyor's per-run figures. */
  brokerCpu: number;
}

/** CPU seconds of one part of the bench stack so far (`rabbitmq` or `redis`). */
const brokerCpu = (name: string) => stackCpu(() => ({}))[name] ?? 0;

/** `count` persistent messages of `size` bytes through a quorum queue with the work queues' arguments. */
export async function rawBrokerBaseline(count: number, size: number): Promise<BaselineResult> {
  const consumer = proc(['raw-consume', String(count)]);
  await consumer.line('ready');
  const cpuBefore = brokerCpu('rabbitmq');
  const publisher = proc(['raw-publish', String(count), String(size)]);
  const startedAt = await publisher.line('startedAt');
  const doneAt = await consumer.line('doneAt');
  const cpu = brokerCpu('rabbitmq') - cpuBefore;
  await Promise.all([publisher.exited, consumer.exited]);
  const seconds = (doneAt - startedAt) / 1000;
  return { count, seconds, rate: count / seconds, brokerCpu: cpu };
}

/** `count` zero-work jobs added with addBulk in chunks of 1,000, one worker process at concurrency 200. */
export async function bullmqBaseline(count: number, redisUrl: string): Promise<BaselineResult> {
  const url = new URL(redisUrl);
  const queue = new Queue(BULLMQ_QUEUE, { connection: { host: url.hostname, port: Number(url.port) } });
  try {
    await queue.obliterate({ force: true });
    const worker = proc(['bullmq-work', String(count)]);
    await worker.line('ready');
    const cpuBefore = brokerCpu('redis');
    const startedAt = Date.now();
    for (let i = 0; i < count; i += 1000) {
      const n = Math.min(1000, count - i);
      await queue.addBulk(
        Array.from({ length: n }, (_, k) => ({
          name: 'zero',
          data: { i: i + k },
          opts: { removeOnComplete: true },
        })),
      );
    }
    const doneAt = await worker.line('doneAt');
    const cpu = brokerCpu('redis') - cpuBefore;
    await worker.exited;
    const seconds = (doneAt - startedAt) / 1000;
    return { count, seconds, rate: count / seconds, brokerCpu: cpu };
  } finally {
    await queue.close();
  }
}
