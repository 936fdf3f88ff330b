import 'reflect-metadata';
import { HandlerError } from './handler';
import { CPU_HANDLERS } from './cpu-handlers';

export interface CpuJob {
  type: string;
  payload: unknown;
  attempt: number;
}

export type CpuOutcome =
  { ok: true; result: unknown } | { ok: false; error: { message: string; code: string; retryable: boolean } };

/** Entry point of a pool thread. Errors come back as data: class identity does not cross threads. */
export default function run(job: CpuJob): CpuOutcome {
  const fn = CPU_HANDLERS[job.type];
  if (!fn)
    return {
      ok: false,
      error: { message: `no CPU handler for ${job.type}`, code: 'NO_HANDLER', retryable: false },
    };
  try {
    return { ok: true, result: fn(job.payload as never, { attempt: job.attempt }) };
  } catch (err) {
    if (err instanceof HandlerError)
      return { ok: false, error: { message: err.message, code: err.code, retryable: err.retryable } };
    return {
      ok: false,
      error: {
        message: err instanceof Error ? err.message : String(err),
        code: 'HANDLER_ERROR',
        retryable: true,
      },
    };
  }
}
