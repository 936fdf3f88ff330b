import type { Priority, TaskErrorInfo, TaskStatus } from '@conveyor/contracts';
import type { NewOutboxMessage } from './outbox.repository';

/** A row of the tasks table as TasksRepository reads it. Services map it to the API's TaskResponseDto. */
export interface TaskRow {
  id: string;
  type: string;
  payload: unknown;
  priority: Priority;
  status: TaskStatus;
  progress: number;
  result: unknown;
  error: TaskErrorInfo | null;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  idempotencyKey: string | null;
  createdAt: Date;
  queuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
  flowId: string | null;
  flowKey: string | null;
  group: string | null;
}

export interface NewTask {
  id: string;
  type: string;
  payload: unknown;
  priority: Priority;
  maxAttempts: number;
  runAt: Date;
  idempotencyKey: string | null;
  /** With a key: what the request asked for, to tell a repeat from a reuse with other parameters. */
  idempotencyFingerprint: string | null;
  group: string | null;
}

export interface PreparedTask {
  task: NewTask;
  message: NewOutboxMessage;
  /** In a flow: a task with parents to wait for is stored `waiting` and its message is not written yet. */
  flow?: FlowPlacement;
  /**
   * Published by its gateway right after the commit, so stored `queued` (no second row version for
   * the mark); its outbox row is the fallback (see FastPublish).
   */
  fast?: boolean;
}

export interface FlowPlacement {
  flowId: string;
  key: string;
  waitingOn: number;
  onParentFailure: 'cancel' | 'ignore';
}

/**
 * A task as TasksRepository.insertMany stores it, field by field (rest-and-spread cost ~20 µs a task in V8).
 * `queuedAttempt`: the attempt its gateway publishes right after the commit (0: none).
 */
export function newTaskRow(
  task: NewTask,
  createdAt: Date,
  flow: FlowPlacement | undefined,
  queuedAttempt: number,
): TaskRow {
  return {
    id: task.id,
    type: task.type,
    payload: task.payload,
    priority: task.priority,
    maxAttempts: task.maxAttempts,
    runAt: task.runAt,
    group: task.group,
    status: flow && flow.waitingOn > 0 ? 'waiting' : queuedAttempt > 0 ? 'queued' : 'pending',
    flowId: flow?.flowId ?? null,
    flowKey: flow?.key ?? null,
    progress: 0,
    result: null,
    error: null,
    attempts: queuedAttempt,
    idempotencyKey: null,
    createdAt,
    queuedAt: queuedAttempt > 0 ? createdAt : null,
    startedAt: null,
    finishedAt: null,
    updatedAt: createdAt,
  };
}
