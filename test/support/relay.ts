import type * as amqplib from 'amqplib';
import { parseConfig } from '@conveyor/config';
import { ATTEMPT_HEADER } from '@conveyor/contracts';
import { SIGNATURE_HEADER, signTask } from '@conveyor/messaging';

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
