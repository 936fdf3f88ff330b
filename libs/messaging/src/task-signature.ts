import { createHmac, timingSafeEqual } from 'node:crypto';
import { ATTEMPT_HEADER, GROUP_RATE_HEADER } from '@conveyor/contracts';
import type { Delivery } from './delivery';

/** Header of a task message: proof that the gateway's relay published it. */
export const SIGNATURE_HEADER = 'x-conveyor-signature';

/**
 * HMAC-SHA256 (TASK_SIGNING_KEY) over the task id, the attempt, the group rate header and the exact
 * body bytes, so a message nobody with the key published, or one whose attempt, rate or body was
 * changed, does not run.
 */
export function signTask(key: string, taskId: string, attempt: number, body: Buffer, groupRate = ''): string {
  return createHmac('sha256', key)
    .update(`${taskId}\n${attempt}\n${groupRate}\n`)
    .update(body)
    .digest('base64url');
}

/** Whether a delivered task message carries a valid signature for its correlation id, headers and body. */
export function hasValidSignature(key: string, delivery: Delivery): boolean {
  const given = delivery.header(SIGNATURE_HEADER);
  const taskId = delivery.correlationId;
  const attempt = delivery.header(ATTEMPT_HEADER);
  const rate = delivery.header(GROUP_RATE_HEADER) ?? '';
  if (typeof given !== 'string' || !taskId || typeof attempt !== 'number' || typeof rate !== 'string')
    return false;
  const expected = Buffer.from(signTask(key, taskId, attempt, delivery.body, rate));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
