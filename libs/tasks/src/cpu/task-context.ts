/** What every handler gets, wherever it runs. */
export interface TaskContext {
  attempt: number;
  /** In a flow: the results of this task's parents, keyed by their keys (empty outside a flow). */
  parents: Readonly<Record<string, unknown>>;
  /** Reports how far the task got (0..100); the worker sends changes to the gateway periodically. */
  progress(percent: number): void;
  /** True when this worker allows fault drills (WORKER_FAULT_DRILLS), such as crashing on request. */
  faultDrills: boolean;
}

/**
 * A CPU function runs synchronously in a pool thread, so it cannot await an abort signal: it calls
 * `throwIfCancelled()` in its loop, which lets the thread stop early and be reused.
 */
export interface CpuContext extends TaskContext {
  readonly cancelled: boolean;
  throwIfCancelled(): void;
}

/** Slots of the memory a running CPU task shares with its pool thread. */
export const CONTROL_CANCEL = 0;
export const CONTROL_PROGRESS = 1;
export const CONTROL_SLOTS = 2;

export function clampPercent(percent: number): number {
  return Number.isFinite(percent) ? Math.max(0, Math.min(100, Math.floor(percent))) : 0;
}

/**
 * A function the pool threads run: the module that exports it (a path without extension, so the
 * built `.js` and a test's `.ts` both resolve) and its export name. Its module must load nothing
 * heavy: only `@conveyor/tasks/cpu` and pure code.
 */
export interface CpuFunction {
  module: string;
  name: string;
}

export interface CpuJob {
  fn: CpuFunction;
  payload: unknown;
  attempt: number;
  parents: Readonly<Record<string, unknown>>;
  faultDrills: boolean;
  /** Shared with the main thread: a cancel flag and the progress (CONTROL_* slots). */
  control: SharedArrayBuffer;
}

export type CpuOutcome =
  { ok: true; result: unknown } | { ok: false; error: { message: string; code: string; retryable: boolean } };
