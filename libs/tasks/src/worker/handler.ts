import { DiscoveryService } from '@nestjs/core';
import type { TaskKind } from '@conveyor/contracts';
import type { CpuFunction, TaskContext } from '@conveyor/tasks/cpu';

export interface IoContext extends TaskContext {
  taskId: string;
  /** Aborted when the task is cancelled while running. */
  signal: AbortSignal;
}

/**
 * The worker side of a task type, as a Nest provider marked `@HandlesTask('<type>')`: `io` runs
 * on the event loop; `cpu` names a function that runs in a pool thread.
 */
export interface TaskHandler {
  io?(payload: never, ctx: IoContext): Promise<unknown>;
  cpu?: CpuFunction;
}

/** Marks a provider as the handler of a task type; the registry finds every one at boot. */
export const HandlesTask = DiscoveryService.createDecorator<string>();

export function supports(handler: TaskHandler, kind: TaskKind): boolean {
  return kind === 'io' ? handler.io !== undefined : handler.cpu !== undefined;
}
