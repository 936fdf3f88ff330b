import { z } from 'zod';
import { isoDateTime } from './datetime';
import { GROUP_LIMIT_MAX, GROUP_NAME } from './groups';
import { PRIORITIES } from './task-status';

/** Body of a message on `conveyor.tasks`. The attempt number travels in a header. */
export const taskMessageSchema = z
  .object({
    id: z.string().uuid(),
    type: z.string().min(1).max(100),
    priority: z.enum(PRIORITIES),
    payload: z.unknown(),
    /** A flow task's parents' results, keyed by the parents' keys in the flow. */
    parents: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type TaskMessage = z.infer<typeof taskMessageSchema>;

/**
 * `progress` is a running task's report of how far it got (0..100); `cancelled` ends an attempt
 * the worker stopped because the gateway cancelled the task.
 */
export const WORKER_STATUSES = ['running', 'progress', 'succeeded', 'failed', 'cancelled'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

/** What a worker reports on `conveyor.status`. */
export const statusMessageSchema = z
  .object({
    taskId: z.string().uuid(),
    attempt: z.number().int().min(1),
    status: z.enum(WORKER_STATUSES),
    at: isoDateTime(),
    /** On an outcome whose attempt ended before its `running` report was due: when it began. */
    startedAt: isoDateTime().optional(),
    workerId: z.string().max(200).optional(),
    progress: z.number().int().min(0).max(100).optional(),
    result: z.unknown().optional(),
    error: z
      .object({ message: z.string().max(10_000), code: z.string().max(100), retryable: z.boolean() })
      .optional(),
  })
  .strict();
export type StatusMessage = z.infer<typeof statusMessageSchema>;

/** Reports travel in batches: one message on `conveyor.status` carries up to 1,000 of them. */
export const STATUS_BATCH_MAX = 1000;
export const statusBatchSchema = z
  .object({ reports: z.array(statusMessageSchema).min(1).max(STATUS_BATCH_MAX) })
  .strict();
export type StatusBatch = z.infer<typeof statusBatchSchema>;

/** A broadcast on `conveyor.control` to every worker: stop this task if you are running it. */
export const controlMessageSchema = z
  .object({ kind: z.literal('cancel'), taskId: z.string().uuid() })
  .strict();
export type ControlMessage = z.infer<typeof controlMessageSchema>;

export const ATTEMPT_HEADER = 'x-conveyor-attempt';

/**
 * On a task message of a rate-limited group, set by the relay that published it (and signed):
 * `<perSecond>/<group>`. The worker starts at most perSecond of the group's attempts a second.
 */
export const GROUP_RATE_HEADER = 'x-conveyor-group-rate';

export interface GroupRate {
  group: string;
  perSecond: number;
}

export const formatGroupRate = (rate: GroupRate): string => `${rate.perSecond}/${rate.group}`;

/** The header's rate; undefined when absent, null when malformed. */
export function parseGroupRate(value: unknown): GroupRate | null | undefined {
  if (value === undefined) return undefined;
  const m = typeof value === 'string' ? /^([1-9][0-9]{0,5})\/(.+)$/s.exec(value) : null;
  if (!m || !GROUP_NAME.test(m[2]) || Number(m[1]) > GROUP_LIMIT_MAX) return null;
  return { perSecond: Number(m[1]), group: m[2] };
}

/** Set by a worker that dead-letters a message itself: JSON `{code, message, queue}`. */
export const REJECTION_HEADER = 'x-conveyor-rejection';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Parses a JSON message body against a schema; never throws. */
export function parseMessage<T>(schema: z.ZodType<T>, body: Buffer): Parsed<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, problem: 'body is not JSON' };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problem: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    };
  }
  return { ok: true, value: parsed.data };
}

/** AMQP `type` of a worker's rate-table refresh on `conveyor.status` (the gateway keeps `/currencies`). */
export const RATES_MESSAGE_TYPE = 'rates.refreshed';
export const ratesMessageSchema = z
  .object({
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD'),
    rates: z
      .record(z.string().regex(/^[A-Z]{3}$/), z.string().regex(/^\d{1,12}(\.\d{1,12})?$/))
      .refine((r) => Object.keys(r).length > 0, 'must not be empty'),
    fetchedAt: isoDateTime(),
  })
  .strict();
export type RatesMessage = z.infer<typeof ratesMessageSchema>;
