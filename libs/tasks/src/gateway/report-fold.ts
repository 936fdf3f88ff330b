import { StatusMessage, TaskStatus } from '@conveyor/contracts';

/** What one batch of reports does to one task: the latest report, plus when it started. */
export interface FoldedReport {
  taskId: string;
  /** A `progress` report folds to `running`: it says the attempt runs, and how far it got. */
  status: TaskStatus;
  attempt: number;
  at: Date;
  startedAt: Date | null;
  /** The highest progress reported for this attempt in the batch, if any. */
  progress: number | null;
  result: unknown;
  error: StatusMessage['error'] | null;
}

const RANK: Record<StatusMessage['status'], number> = {
  running: 1,
  progress: 1,
  succeeded: 2,
  failed: 2,
  cancelled: 2,
};

/**
 * Folds a batch of reports to one per task (a row can be updated once per statement): the newest
 * attempt wins, then the furthest status; a `running` report of that attempt (or an outcome's
 * `startedAt`) supplies the start and its `progress` reports the highest progress.
 */
export function foldReports(reports: readonly StatusMessage[]): FoldedReport[] {
  const byTask = new Map<string, FoldedReport & { rank: number }>();
  for (const r of reports) {
    const at = new Date(r.at);
    const current = byTask.get(r.taskId);
    const startedAt = r.status === 'running' ? at : r.startedAt ? new Date(r.startedAt) : null;
    const progress = r.status === 'progress' ? (r.progress ?? null) : null;
    if (
      !current ||
      r.attempt > current.attempt ||
      (r.attempt === current.attempt && RANK[r.status] > current.rank)
    ) {
      const same = current && current.attempt === r.attempt ? current : undefined;
      byTask.set(r.taskId, {
        taskId: r.taskId,
        status: r.status === 'progress' ? 'running' : r.status,
        rank: RANK[r.status],
        attempt: r.attempt,
        at,
        startedAt: startedAt ?? same?.startedAt ?? null,
        progress: max(progress, same?.progress ?? null),
        result: r.result ?? null,
        error: r.error ?? null,
      });
    } else if (r.attempt === current.attempt) {
      current.startedAt ??= startedAt;
      current.progress = max(current.progress, progress);
    }
  }
  return [...byTask.values()].map(({ rank: _rank, ...folded }) => folded);
}

function max(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}
