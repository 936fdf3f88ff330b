import type { LoggerService } from '@nestjs/common';
import type { ZodType } from 'zod';
import { parseMessage } from '@conveyor/contracts';
import type { Delivery } from './delivery';

/**
 * The body of a delivery, parsed against its schema. A malformed message is dead-lettered at once
 * (logged as `what`) and the answer is undefined: the consumer goes on with the next one.
 */
export function parseOrDeadLetter<T>(
  delivery: Delivery,
  schema: ZodType<T>,
  what: string,
  logger: LoggerService,
): T | undefined {
  const parsed = parseMessage(schema, delivery.body);
  if (parsed.ok) return parsed.value;
  logger.warn(`invalid ${what} dead-lettered: ${parsed.problem}`);
  delivery.nack(false);
  return undefined;
}
