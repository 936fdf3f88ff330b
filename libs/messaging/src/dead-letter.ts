import { REJECTION_HEADER, TaskErrorInfo } from '@conveyor/contracts';
import type { Delivery } from './delivery';
import { EXCHANGES, QUEUES, WORK_QUEUES } from './topology';

/** What a dead letter says about itself: the task it carried (if any) and why it died. */
export interface DeadLetter {
  /** Set when the letter is a task message from a work queue. */
  taskId?: string;
  cause: TaskErrorInfo;
}

const WORK_QUEUE_NAMES = new Set(WORK_QUEUES.map((q) => q.queue));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Rejections of messages not proven to come from the gateway: they name no task of ours. */
const UNPROVEN = new Set(['FORGED', 'UNSUPPORTED_CONTENT_TYPE', 'NO_MESSAGE_ID']);

/** Reads a letter from `conveyor.dlx`: a worker's rejection header, else RabbitMQ's `x-first-death-*`. */
export function readDeadLetter(delivery: Delivery): DeadLetter {
  const cause = deathCause(delivery);
  // A forged message naming a task must not kill that task.
  return { taskId: UNPROVEN.has(cause.code) ? undefined : deadTaskId(delivery), cause };
}

/** Why a letter died: a worker's own rejection, the broker's reason, or no binding at all. */
function deathCause(delivery: Delivery): TaskErrorInfo {
  const rejection = delivery.header(REJECTION_HEADER);
  if (typeof rejection === 'string' || Buffer.isBuffer(rejection)) {
    try {
      const r = JSON.parse(rejection.toString()) as { code?: unknown; message?: unknown; queue?: unknown };
      return {
        code: typeof r.code === 'string' ? r.code : 'REJECTED',
        message: `${String(r.message)} (dead-lettered from ${String(r.queue)})`,
        retryable: false,
      };
    } catch {
      // fall through to the broker's account
    }
  }
  const queue = delivery.header('x-first-death-queue');
  const reason = delivery.header('x-first-death-reason');
  if (typeof reason === 'string') {
    return {
      code: reason === 'delivery_limit' ? 'DELIVERY_LIMIT' : 'DEAD_LETTERED',
      message: `dead-lettered from ${String(queue)} (${reason})`,
      retryable: false,
    };
  }
  return { code: 'UNROUTABLE', message: 'no work queue is bound for its routing key', retryable: false };
}

/** The task a dead letter belongs to; letters from the status queue or without a task id have none. */
function deadTaskId(delivery: Delivery): string | undefined {
  const queue = delivery.header('x-first-death-queue');
  if (typeof queue === 'string' && !WORK_QUEUE_NAMES.has(queue)) return undefined;
  const id = delivery.correlationId ?? bodyId(delivery.body);
  return id && UUID.test(id) ? id : undefined;
}

function bodyId(body: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Where a dead letter came from: the queue it died in, and the exchange and key it was sent with. */
export interface DeathOrigin {
  queue: string | null;
  exchange: string | null;
  routingKey: string | null;
  diedAt: Date | null;
}

/** From a worker's rejection header (queue, routingKey, at), else RabbitMQ's `x-death`. */
export function deathOrigin(delivery: Delivery): DeathOrigin {
  const text = (v: unknown) => (typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString() : null);
  const rejection = text(delivery.header(REJECTION_HEADER));
  if (rejection) {
    try {
      const r = JSON.parse(rejection) as Record<string, unknown>;
      const queue = text(r.queue);
      const at = text(r.at);
      return {
        queue,
        exchange: queue === QUEUES.eventsEnrich ? EXCHANGES.events : queue ? EXCHANGES.tasks : null,
        routingKey: text(r.routingKey),
        diedAt: at && !Number.isNaN(Date.parse(at)) ? new Date(at) : null,
      };
    } catch {
      // fall through to the broker's account
    }
  }
  const death = (delivery.header('x-death') as Record<string, unknown>[] | undefined)?.[0];
  const keys = death?.['routing-keys'];
  // amqplib reads an AMQP timestamp as {'!': 'timestamp', value: <seconds>}.
  const seconds = Number((death?.time as { value?: unknown } | undefined)?.value);
  return {
    queue: text(delivery.header('x-first-death-queue')),
    exchange: text(delivery.header('x-first-death-exchange')),
    routingKey: Array.isArray(keys) ? text(keys[0]) : null,
    diedAt: Number.isFinite(seconds) ? new Date(seconds * 1000) : null,
  };
}
