import { createHash } from 'node:crypto';
import { REJECTION_HEADER } from '@conveyor/contracts';
import { Delivery, deathOrigin, readDeadLetter } from '@conveyor/messaging';
import type { NewDeadLetter } from './dead-letters.repository';

/** The most of a body kept; a larger one is cut there, and the row says how large it was. */
export const DEAD_LETTER_BODY_MAX_BYTES = 64 * 1024;

const text = (v: unknown, max: number): string | null =>
  typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null;

/** Headers as JSON: buffers as text, AMQP timestamps as they were decoded. */
function jsonHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(headers ?? {}, (_, v: unknown) =>
      Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'bigint' ? v.toString() : v,
    ),
  ) as Record<string, unknown>;
}

/** What the gateway stores of a letter from `conveyor.dead.gateway`. */
export function deadLetterRecord(delivery: Delivery): NewDeadLetter {
  const { taskId, cause } = readDeadLetter(delivery);
  const origin = deathOrigin(delivery);
  const props = delivery.message.properties;
  const headers = jsonHeaders(props.headers);
  const body = delivery.body;
  // The same letter read twice (a gateway died before its ack) has the same fingerprint; the same
  // message dead again later has another death time (the worker's `at`, the broker's x-death).
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify([
        props.messageId ?? null,
        headers[REJECTION_HEADER] ?? null,
        headers['x-death'] ?? null,
      ]),
    )
    .update(body)
    .digest();
  return {
    fingerprint,
    queue: text(origin.queue, 300),
    reason: cause.code.slice(0, 100),
    message: cause.message.slice(0, 10_000),
    exchange: text(origin.exchange, 300),
    routingKey: text(origin.routingKey, 300),
    messageId: text(props.messageId, 300),
    taskId: taskId ?? null,
    type: text(props.type, 300),
    contentType: text(props.contentType, 300),
    headers,
    body: body.subarray(0, DEAD_LETTER_BODY_MAX_BYTES),
    bodySize: body.length,
    diedAt: origin.diedAt,
  };
}
