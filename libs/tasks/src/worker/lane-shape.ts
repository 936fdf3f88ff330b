import type { Lane } from '@conveyor/common';
import type { AppConfig } from '@conveyor/config';
import type { TaskKind } from '@conveyor/contracts';

/**
 * Per kind, the slots both lanes share and the part kept for the high lane. CPU: one per pool
 * thread (the pool has cpuThreads + 1), the extra one kept for high work.
 */
export function laneShape(config: AppConfig) {
  const { cpuThreads, ioConcurrency, highIoConcurrency } = config.worker;
  return {
    cpu: { size: cpuThreads + 1, reservedForHigh: 1 },
    io: { size: ioConcurrency + highIoConcurrency, reservedForHigh: highIoConcurrency },
  };
}

/** How many of a kind's handlers a lane may run at once: all the slots, or all but the reserved ones. */
export function laneSlots(config: AppConfig, kind: TaskKind, lane: Lane): number {
  const { size, reservedForHigh } = laneShape(config)[kind];
  return lane === 'high' ? size : size - reservedForHigh;
}
