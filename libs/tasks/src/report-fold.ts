import { StatusMessage, TaskStatus } from '@conveyor/contracts';

/** What one batch of reports does to one task: the latest report, plus when it started. */
export interface FoldedReport {
  taskId: string;
  status: TaskStatus;
  attempt: number;
  at: Date;
  startedAt: Date | null;
  result: unknown;
  error: StatusMessage['error'] | null;
}

const RANK: Record<StatusMessage['status'], number> = { running: 1, succeeded: 2, failed: 2 };

/**
 * Folds a batch of reports to one per task (a row can be updated once per statement): the newest
 * attempt wins, then the furthest status; a `running` report of that attempt supplies the start.
 */
export function foldReports(reports: readonly StatusMessage[]): FoldedReport[] {
  const byTask = new Map<string, FoldedReport>();
  for (const r of reports) {
    const at = new Date(r.at);
    const current = byTask.get(r.taskId);
    const startedAt = r.status === 'running' ? at : null;
    if (
      !current ||
      r.attempt > current.attempt ||
      (r.attempt === current.attempt && RANK[r.status] > RANK[current.status as StatusMessage['status']])
    ) {
      const sameAttemptStart = current && current.attempt === r.attempt ? current.startedAt : null;
      byTask.set(r.taskId, {
        taskId: r.taskId,
        status: r.status,
        attempt: r.attempt,
        at,
        startedAt: startedAt ?? sameAttemptStart,
        result: r.result ?? null,
        error: r.error ?? null,
      });
    } else if (r.attempt === current.attempt && startedAt && !current.startedAt) {
      current.startedAt = startedAt;
    }
  }
  return [...byTask.values()];
}
