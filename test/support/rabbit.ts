import { setTimeout as sleep } from 'node:timers/promises';
import * as amqplib from 'amqplib';
import type { StackEnv } from './stack';
function auth(env: StackEnv): string {
  return `Basic ${Buffer.from(`${env.RABBITMQ_USER}:${env.RABBITMQ_PASSWORD}`).toString('base64')}`;
}

async function management<T>(env: StackEnv, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(new URL(`api/${path}`, env.RABBITMQ_MANAGEMENT_URL), {
    ...init,
    headers: { authorization: auth(env), 'content-type': 'application/json' },
  });
  if (!res.ok && res.status !== 404) throw new Error(`management ${path}: ${res.status}`);
  return (res.status === 204 || res.status === 404 ? undefined : await res.json()) as T;
}

export interface QueueInfo {
  name: string;
  messages: number;
  consumers: number;
  arguments: Record<string, unknown>;
  type: string;
}

export async function queueInfo(env: StackEnv, name: string): Promise<QueueInfo> {
  return management<QueueInfo>(env, `queues/%2F/${encodeURIComponent(name)}`);
}

export async function deleteConveyorQueues(env: StackEnv): Promise<void> {
  const queues = await management<QueueInfo[]>(env, 'queues/%2F');
  for (const q of queues.filter((x) => x.name.startsWith('conveyor.'))) {
    await management(env, `queues/%2F/${encodeURIComponent(q.name)}`, { method: 'DELETE' });
  }
}

/** Publishes a raw message the way an outside publisher would (confirm channel, no helpers). */
export async function publishRaw(
  env: StackEnv,
  exchange: string,
  routingKey: string,
  body: Buffer | string,
  options: amqplib.Options.Publish = {},
): Promise<void> {
  const conn = await amqplib.connect(env.AMQP_URL);
  try {
    const ch = await conn.createConfirmChannel();
    ch.publish(exchange, routingKey, Buffer.from(body), { persistent: true, ...options });
    await ch.waitForConfirms();
    await ch.close();
  } finally {
    await conn.close();
  }
}

export interface DeadLetter {
  body: string;
  messageId?: string;
  correlationId?: string;
  headers: Record<string, unknown>;
}

/** Reads every message in a queue without removing it (they are returned when the channel closes). */
export async function browseQueue(env: StackEnv, queue: string): Promise<DeadLetter[]> {
  const conn = await amqplib.connect(env.AMQP_URL);
  try {
    const ch = await conn.createChannel();
    const seen: DeadLetter[] = [];
    for (let msg = await ch.get(queue); msg; msg = await ch.get(queue)) {
      seen.push({
        body: msg.content.toString(),
        messageId: msg.properties.messageId as string | undefined,
        correlationId: msg.properties.correlationId as string | undefined,
        headers: msg.properties.headers ?? {},
      });
    }
    await ch.close();
    return seen;
  } finally {
    await conn.close();
  }
}

/** Waits until a queue holds messages matching every predicate. */
export async function waitForMessages(
  env: StackEnv,
  queue: string,
  predicates: ((m: DeadLetter) => boolean)[],
  ms = 30_000,
): Promise<DeadLetter[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const messages = await browseQueue(env, queue);
    const found = predicates.map((p) => messages.find(p));
    if (found.every((m) => m !== undefined)) return found;
    if (Date.now() > deadline)
      throw new Error(`${queue} lacks expected messages; it holds ${messages.length}`);
    await sleep(250);
  }
}

/**
 * Closes the broker connections of process `pid` (named `conveyor <host>:<pid>`), as a failed link
 * would. The management API lists a connection once its first statistics arrive (a few seconds).
 */
export async function closeConnectionsOf(env: StackEnv, pid: number, deadlineMs = 20_000): Promise<number> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const all = await management<{ name: string; client_properties?: { connection_name?: string } }[]>(
      env,
      'connections',
    );
    const mine = all.filter((c) => c.client_properties?.connection_name?.endsWith(`:${pid}`));
    for (const c of mine)
      await management(env, `connections/${encodeURIComponent(c.name)}`, { method: 'DELETE' });
    if (mine.length > 0 || Date.now() > until) return mine.length;
    await sleep(250);
  }
}
