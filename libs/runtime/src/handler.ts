import type { TaskKind } from '@conveyor/contracts';

/** What every handler gets, wherever it runs. */
export interface TaskContext {
  attempt: number;
  /** Reports how far the task got (0..100); the worker sends changes to the gateway periodically. */
  progress(percent: number): void;
  /** True when this worker allows fault drills (WORKER_FAULT_DRILLS), such as crashing on request. */
  faultDrills: boolean;
}

/**
 * A CPU handler runs synchronously in a pool thread, so it cannot await an abort signal: it calls
 * `throwIfCancelled()` in its loop, which lets the thread stop early and be reused.
 */
export interface CpuContext extends TaskContext {
  readonly cancelled: boolean;
  throwIfCancelled(): void;
}

export interface IoContext extends TaskContext {
  taskId: string;
  /** Aborted when the task is cancelled while running. */
  signal: AbortSignal;
}

/**
 * The worker side of a task type. `io` runs on the event loop; `cpu` names a pure function that
 * runs inside a pool thread (it must be registered in cpu-handlers.ts, which the threads load).
 */
export interface TaskHandler {
  type: string;
  io?: (payload: never, ctx: IoContext) => Promise<unknown>;
  cpu?: true;
}

export class HandlerError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'HandlerError';
  }
}

/** Thrown by `throwIfCancelled()`; the worker reports the attempt as cancelled. */
export class TaskCancelled extends HandlerError {
  constructor() {
    super('cancelled while running', 'CANCELLED', false);
    this.name = 'TaskCancelled';
  }
}

export function supports(handler: TaskHandler, kind: TaskKind): boolean {
  return kind === 'io' ? handler.io !== undefined : handler.cpu === true;
}
