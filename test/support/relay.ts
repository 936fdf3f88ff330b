import type * as amqplib from 'amqplib';
import { parseConfig } from '@conveyor/config';
import { ATTEMPT_HEADER } from '@conveyor/contracts';
import { SIGNATURE_HEADER, signTask } from '@conveyor/messaging';
import type { Client } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { publishRaw } from './rabbit';
import type { StackEnv } from './stack';

/**
 * Publish options that make a task message pass the worker's proof checks, as the gateway's relay
 * sends it (signed with the test apps' key): for messages that must reach the later checks.
 */
export function asRelay(
  taskId: string,
  attempt: number,
  body: Buffer | string,
  options: amqplib.Options.Publish = {},
): amqplib.Options.Publish {
  const key = parseConfig({ NODE_ENV: 'test' }).taskSigningKey;
  return {
    messageId: `${taskId}/${attempt}`,
    contentType: 'application/json',
    correlationId: taskId,
    ...options,
    headers: {
      ...options.headers,
      [ATTEMPT_HEADER]: attempt,
      [SIGNATURE_HEADER]: signTask(key, taskId, attempt, Buffer.from(body)),
    },
  };
}

/**
 * A queued demo.work task whose message names a type no worker has: the worker dead-letters it
 * (UNKNOWN_TYPE) and the gateway marks the task dead. Answers the task id and the message body.
 */
export async function unknownTypeTask(env: StackEnv, db: Client): Promise<{ id: string; body: string }> {
  const id = uuidv7();
  await db.query(
    `INSERT INTO tasks (id, type, payload, priority, status, progress, attempts, max_attempts, run_at, created_at, updated_at)
     VALUES ($1, 'demo.work', '{"seconds":0,"cpuBound":false}', 'normal', 'queued', 0, 1, 3, now(), now(), now())`,
    [id],
  );
  const body = JSON.stringify({ id, type: 'no.such.type', priority: 'normal', payload: {} });
  await publishRaw(env, 'conveyor.tasks', 'task.normal.io.no.such.type', body, asRelay(id, 1, body));
  return { id, body };
}
