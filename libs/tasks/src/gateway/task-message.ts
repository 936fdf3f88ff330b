import { ATTEMPT_HEADER, GROUP_RATE_HEADER, Priority, TaskMessage, findTaskType } from '@conveyor/contracts';
import { EXCHANGES, SIGNATURE_HEADER, signTask, taskRoutingKey } from '@conveyor/messaging';
import type { NewOutboxMessage } from './outbox.repository';

export interface TaskIdentity {
  id: string;
  type: string;
  priority: Priority;
  payload: unknown;
  /** A flow task's parents' results, set when the flow released it. */
  parents?: Record<string, unknown> | null;
  /** The group whose limits the relay applies before publishing it. */
  group: string | null;
}

/** The outbox message that runs one attempt of a task, due at `availableAt`. */
export function taskOutboxMessage(task: TaskIdentity, attempt: number, availableAt: Date): NewOutboxMessage {
  const contract = findTaskType(task.type);
  if (!contract) throw new Error(`no contract for task type ${task.type}`);
  const body: TaskMessage = { id: task.id, type: task.type, priority: task.priority, payload: task.payload };
  if (task.parents) body.parents = task.parents;
  return {
    taskId: task.id,
    attempt,
    exchange: EXCHANGES.tasks,
    routingKey: taskRoutingKey(task.priority, contract.kindOf(task.payload as object), task.type),
    messageId: `${task.id}/${attempt}`,
    messageType: task.type,
    body,
    headers: { [ATTEMPT_HEADER]: attempt },
    availableAt,
    group: task.group,
  };
}

/** A message's headers as published: a task message carries proof that this gateway sent it (workers run nothing else). */
export function publishedHeaders(
  key: string,
  m: { taskId: string | null; attempt: number | null; headers: Record<string, unknown> },
  body: Buffer,
  groupRate?: string,
): Record<string, unknown> {
  if (m.taskId === null || m.attempt === null) return m.headers;
  const rate = groupRate ? { [GROUP_RATE_HEADER]: groupRate } : {};
  return { ...m.headers, ...rate, [SIGNATURE_HEADER]: signTask(key, m.taskId, m.attempt, body, groupRate) };
}
