import { TaskStatus, isTerminal } from '@conveyor/contracts';
import type { FlowStatus } from './flows.dto';

/** A flow's status from its tasks' counts: running until every task finished, then how it ended. */
export function flowStatus(counts: Partial<Record<TaskStatus, number>>): FlowStatus {
  const statuses = (Object.keys(counts) as TaskStatus[]).filter((s) => (counts[s] ?? 0) > 0);
  if (statuses.some((s) => !isTerminal(s))) return 'running';
  if (statuses.every((s) => s === 'succeeded')) return 'succeeded';
  return statuses.some((s) => s === 'failed' || s === 'dead') ? 'failed' : 'cancelled';
}

export function countStatuses(statuses: readonly TaskStatus[]): Partial<Record<TaskStatus, number>> {
  const counts: Partial<Record<TaskStatus, number>> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}
