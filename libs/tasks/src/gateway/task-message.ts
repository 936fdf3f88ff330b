import { ATTEMPT_HEADER, GROUP_RATE_HEADER, Priority, TaskMessage, findTaskType } from '@conveyor/contracts';
import { AmqpService, EXCHANGES, SIGNATURE_HEADER, signTask, workRoutingKey } from '@conveyor/messaging';
import type { NewOutboxMessage } from './outbox.repository';
import type { TasksMetrics } from './tasks.metrics';

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
    // The direct exchange, by lane: the key keeps `task.<priority>.`, which the outbox's lane indexes read.
    exchange: EXCHANGES.work,
    routingKey: workRoutingKey(task.priority, contract.kindOf(task.payload as object)),
    messageId: `${task.id}/${attempt}`,
    messageType: task.type,
    body,
    headers: { [ATTEMPT_HEADER]: attempt },
    availableAt,
    group: task.group,
  };
}

/** What publishing needs of an outbox message (its body apart, as the caller holds it). */
export type Publishable = Pick<
  NewOutboxMessage,
  'taskId' | 'attempt' | 'exchange' | 'routingKey' | 'messageId' | 'messageType' | 'headers'
> & {
  /** A rate-limited group's worker-side limit, travelling with the message (signed with it). */
  groupRate?: string;
};

/**
 * Publishes each message with confirms, a task message signed (workers run nothing else), and
 * counts them; answers those the broker confirmed, in order, and why the first other one was not.
 */
export async function publishSigned<T extends Publishable>(
  amqp: AmqpService,
  metrics: TasksMetrics,
  key: string,
  messages: T[],
  bodyOf: (m: T) => Buffer,
): Promise<{ sent: T[]; reason?: unknown }> {
  const outcomes = await Promise.allSettled(
    messages.map((m) => {
      const body = bodyOf(m);
      return amqp.publish(m.exchange, m.routingKey, body, {
        messageId: m.messageId,
        correlationId: m.taskId ?? undefined,
        type: m.messageType,
        headers: signedHeaders(key, m, body),
      });
    }),
  );
  const sent = messages.filter((_, i) => outcomes[i]?.status === 'fulfilled');
  metrics.published.inc(sent.length);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) metrics.publishFailures.inc(messages.length - sent.length);
  return { sent, reason: failed?.reason };
}

/** A message's headers as published: a task message carries proof that a gateway sent it. */
function signedHeaders(key: string, m: Publishable, body: Buffer): Record<string, unknown> {
  if (m.taskId === null || m.attempt === null) return m.headers;
  const signed: Record<string, unknown> = Object.assign({}, m.headers);
  if (m.groupRate) signed[GROUP_RATE_HEADER] = m.groupRate;
  signed[SIGNATURE_HEADER] = signTask(key, m.taskId, m.attempt, body, m.groupRate);
  return signed;
}
