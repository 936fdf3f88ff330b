import { HandlerError, TaskCancelled } from './handler-error';
import {
  CONTROL_CANCEL,
  CONTROL_PROGRESS,
  CpuContext,
  CpuJob,
  CpuOutcome,
  clampPercent,
} from './task-context';

function contextOf(job: CpuJob): CpuContext {
  const control = new Int32Array(job.control);
  return {
    attempt: job.attempt,
    parents: job.parents,
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

/** Loads a CPU function by reference (the registry checked at boot that it exists). */
export async function loadCpuFunction(fn: { module: string; name: string }): Promise<unknown> {
  const mod = (await import(fn.module)) as Record<string, unknown>;
  return mod[fn.name];
}

/** Entry point of a pool thread. Errors come back as data: class identity does not cross threads. */
export default async function run(job: CpuJob): Promise<CpuOutcome> {
  const fn = await loadCpuFunction(job.fn).catch(() => undefined);
  if (typeof fn !== 'function')
    return {
      ok: false,
      error: {
        message: `no CPU function ${job.fn.name} in ${job.fn.module}`,
        code: 'NO_HANDLER',
        retryable: false,
      },
    };
  try {
    return {
      ok: true,
      result: await (fn as (p: unknown, c: CpuContext) => unknown)(job.payload, contextOf(job)),
    };
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
