export const TASK_STATUSES = [
  'waiting',
  'pending',
  'queued',
  'running',
  'retrying',
  'succeeded',
  'failed',
  'cancelled',
  'dead',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * The terminal statuses, and what holds for a task in one (test/terminal-invariant.int-spec.ts
 * drives every path here and checks it):
 * - it has no unpublished message left: every transition into a terminal status removes the
 *   outbox rows of the attempts so far, so nothing runs it afterwards;
 * - nothing happened after it: `queuedAt` and `startedAt` are not later than `finishedAt`, and
 *   no attempt is on record that began after the task ended (a stray or duplicate message's
 *   outcome is not recorded);
 * - it agrees with its attempts: `succeeded` has its result and a succeeded last attempt;
 *   `failed` and `dead` have an error and no succeeded attempt; `cancelled` has no succeeded attempt.
 * Only POST /tasks/:id/retry leaves one (to `pending`, as a new attempt), and a retried flow
 * task takes the descendants its failure cancelled back to `waiting`.
 */
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled', 'dead'];

export const PRIORITIES = ['high', 'normal'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const TASK_KINDS = ['cpu', 'io'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/**
 * The one table of legal status changes. The status consumer, the relay and the API all derive
 * their guards from it, so a duplicate or late message can never move a task backwards.
 */
export const TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  // A flow task whose parents have not all succeeded: it has no message until they have.
  waiting: ['pending', 'cancelled'],
  // A worker's report can overtake the relay's own "queued" update, hence running/succeeded/failed.
  pending: ['queued', 'running', 'succeeded', 'failed', 'retrying', 'cancelled', 'dead'],
  queued: ['running', 'succeeded', 'failed', 'retrying', 'cancelled', 'dead'],
  running: ['succeeded', 'failed', 'retrying', 'cancelled', 'dead'],
  // retrying → retrying: the next attempt failed too before its `running` report was applied.
  retrying: ['queued', 'running', 'succeeded', 'failed', 'retrying', 'cancelled', 'dead'],
  succeeded: [],
  // Only POST /tasks/:id/retry takes these: it runs the task again as a new attempt.
  failed: ['pending'],
  // cancelled → waiting: a flow task cancelled for a failed parent, once that parent is retried.
  cancelled: ['pending', 'waiting'],
  dead: ['pending'],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses from which `to` may be reached, for use in `WHERE status = ANY(...)`. */
export function sourcesOf(to: TaskStatus): TaskStatus[] {
  return TASK_STATUSES.filter((from) => canTransition(from, to));
}

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
