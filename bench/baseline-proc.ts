/**
 * The processes of the baselines in `make bench`, each on its own (as a real deployment would run
 * them): `raw-consume N`, `raw-publish N SIZE`, `bullmq-work N`. Each prints JSON lines: `{"ready":
 * true}` once set up, then `{"startedAt": ms}` (publisher) or `{"doneAt": ms}` (consumers).
 */
import * as amqplib from 'amqplib';
import { Worker } from 'bullmq';
import { QUORUM_QUEUE_ARGS } from '@conveyor/messaging';

export const RAW_QUEUE = 'bench.raw';
export const BULLMQ_QUEUE = 'bench-bullmq';
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const env = process.env as Record<string, string>;

/** Consumes and acks like the worker: manual acks, a prefetch of 400. */
async function rawConsume(n: number): Promise<void> {
  const conn = await amqplib.connect(env.AMQP_URL);
  const ch = await conn.createChannel();
  await ch.assertExchange('conveyor.dlx', 'fanout', { durable: true });
  await ch.deleteQueue(RAW_QUEUE);
  await ch.assertQueue(RAW_QUEUE, { durable: true, arguments: QUORUM_QUEUE_ARGS });
  await ch.prefetch(400);
  let received = 0;
  await ch.consume(RAW_QUEUE, (msg) => {
    if (!msg) return;
    ch.ack(msg);
    if (++received === n) {
      say({ doneAt: Date.now() });
      void conn.close().then(() => process.exit(0));
    }
  });
  say({ ready: true });
}

/** Persistent, mandatory publishes with a sliding window of 500 unconfirmed. */
async function rawPublish(n: number, size: number): Promise<void> {
  const conn = await amqplib.connect(env.AMQP_URL);
  const ch = await conn.createConfirmChannel();
  const body = Buffer.alloc(size, 'x');
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const confirmed = () => {
    inFlight--;
    wake?.();
  };
  say({ startedAt: Date.now() });
  for (let sent = 0; sent < n; sent++) {
    while (inFlight >= 500) await new Promise<void>((ok) => (wake = ok));
    inFlight++;
    ch.publish(
      '',
      RAW_QUEUE,
      body,
      { persistent: true, mandatory: true, contentType: 'application/json' },
      (err) => {
        if (err) throw new Error('publish nacked');
        confirmed();
      },
    );
  }
  await ch.waitForConfirms();
  await conn.close();
}

/** One BullMQ worker process, concurrency 200, zero-work jobs. */
function bullmqWork(n: number): void {
  const url = new URL(env.REDIS_URL);
  let done = 0;
  const worker = new Worker(BULLMQ_QUEUE, () => Promise.resolve(), {
    connection: { host: url.hostname, port: Number(url.port) },
    concurrency: 200,
  });
  worker.on('completed', () => {
    if (++done === n) {
      say({ doneAt: Date.now() });
      void worker.close().then(() => process.exit(0));
    }
  });
  void worker.waitUntilReady().then(() => say({ ready: true }));
}

if (require.main === module) {
  const [mode, count, size] = process.argv.slice(2);
  const n = Number(count);
  if (mode === 'raw-consume') void rawConsume(n);
  else if (mode === 'raw-publish') void rawPublish(n, Number(size));
  else if (mode === 'bullmq-work') bullmqWork(n);
  else throw new Error(`unknown mode ${mode}`);
}
