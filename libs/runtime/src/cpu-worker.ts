import 'reflect-metadata';
import { CpuContext, HandlerError, TaskCancelled } from './handler';
import { CPU_HANDLERS } from './cpu-handlers';
import { CONTROL_CANCEL, CONTROL_PROGRESS, clampPercent } from './running-task';

export interface CpuJob {
  type: string;
  payload: unknown;
  attempt: number;
  faultDrills: boolean;
  /** Shared with the main thread: a cancel flag and the progress (see running-task.ts). */
  control: SharedArrayBuffer;
}

export type CpuOutcome =
  { ok: true; result: unknown } | { ok: false; error: { message: string; code: string; retryable: boolean } };

function contextOf(job: CpuJob): CpuContext {
  const control = new Int32Array(job.control);
  return {
    attempt: job.attempt,
    faultDrills: job.faultDrills,
    get cancelled() {
      return Atomics.load(control, CONTROL_CANCEL) === 1;
    },
    throwIfCancelled() {
      if (Atomics.load(control, CONTROL_CANCEL) === 1) throw new TaskCancelled();
    },
    progress(percent) {
      Atomics.store(control, CONTROL_PROGRESS, clampPercent(percent));
    },
  };
}

/** Entry point of a pool thread. Errors come back as data: class identity does not cross threads. */
export default async function run(job: CpuJob): Promise<CpuOutcome> {
  const fn = CPU_HANDLERS[job.type];
  if (!fn)
    return {
      ok: false,
      error: { message: `no CPU handler for ${job.type}`, code: 'NO_HANDLER', retryable: false },
    };
  try {
    return { ok: true, result: await fn(job.payload as never, contextOf(job)) };
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
