import type { TaskKind } from '@conveyor/contracts';

export interface CpuContext {
  attempt: number;
}

export interface IoContext {
  taskId: string;
  attempt: number;
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

export function supports(handler: TaskHandler, kind: TaskKind): boolean {
  return kind === 'io' ? handler.io !== undefined : handler.cpu === true;
}
