import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { RedisService, metricsRegistry } from '@conveyor/common';
import {
  REJECTION_HEADER,
  StatusMessage,
  TaskErrorInfo,
  TaskKind,
  cancelMarkKey,
  checkPayload,
  findTaskType,
  parseMessage,
  taskMessageSchema,
} from '@conveyor/contracts';
import { AmqpService, Delivery, EXCHANGES } from '@conveyor/messaging';
import { CpuPool } from './cpu-pool';
import { HandlerError, TaskHandler } from './handler';
import { HandlerRegistry } from './handler-registry';
import { StatusPublisher } from './status-publisher';

const duration = new Histogram({
  name: 'conveyor_task_attempt_duration_seconds',
  help: 'Duration of task attempts in this worker',
  labelNames: ['type', 'kind', 'outcome'],
  buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
  registers: [metricsRegistry],
});
const inFlight = new Gauge({
  name: 'conveyor_consumer_in_flight',
  help: 'Task messages being processed by this worker, by queue',
  labelNames: ['queue'],
  registers: [metricsRegistry],
});
const rejected = new Counter({
  name: 'conveyor_messages_rejected_total',
  help: 'Task messages sent to the dead-letter queue by this worker, by reason',
  labelNames: ['reason'],
  registers: [metricsRegistry],
});

type Outcome = { ok: true; result: unknown } | { ok: false; error: TaskErrorInfo };

/**
 * Runs one task message: validate, skip if cancelled, report `running`, execute (CPU in the pool,
 * IO on the event loop), report the outcome, and ack only once that report is confirmed.
 */
@Injectable()
export class TaskRunner {
  private readonly logger = new Logger(TaskRunner.name);
  private readonly workerId = `${hostname()}:${process.pid}`;
  private readonly registry = new HandlerRegistry();

  constructor(
    private readonly amqp: AmqpService,
    private readonly pool: CpuPool,
    private readonly redis: RedisService,
    private readonly reports: StatusPublisher,
  ) {}

  private readonly active = new Set<Promise<void>>();

  async handle(queue: string, delivery: Delivery): Promise<void> {
    inFlight.inc({ queue });
    const work = this.process(queue, delivery);
    this.active.add(work);
    try {
      await work;
    } finally {
      this.active.delete(work);
      inFlight.dec({ queue });
    }
  }

  /** Waits for the tasks in progress (after intake stopped); what is left at the deadline is redelivered. */
  async drain(deadlineMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    await Promise.race([Promise.allSettled([...this.active]), deadline]);
    clearTimeout(timer);
  }

  private async process(queue: string, delivery: Delivery): Promise<void> {
    const parsed = parseMessage(taskMessageSchema, delivery.body);
    if (!parsed.ok) return this.reject(queue, delivery, 'INVALID_MESSAGE', parsed.problem);
    const message = parsed.value;
    const contract = findTaskType(message.type);
    const handler = this.registry.get(message.type);
    if (!contract || !handler) {
      return this.reject(queue, delivery, 'UNKNOWN_TYPE', `unknown task type '${message.type}'`);
    }
    const check = checkPayload(contract, message.payload);
    if (!check.ok) return this.reject(queue, delivery, 'INVALID_PAYLOAD', check.problems.join('; '));
    if (await this.isCancelled(message.id)) {
      delivery.ack();
      return;
    }

    const attempt = delivery.attempt;
    const kind = contract.kindOf(check.payload);
    // The work need not wait for the `running` confirm; the ack waits for both reports.
    const running = this.report({ taskId: message.id, attempt, status: 'running' });
    running.catch(() => undefined); // awaited below; this only keeps it from counting as unhandled meanwhile
    try {
      const stop = duration.startTimer({ type: message.type, kind });
      const outcome = await this.execute(kind, handler, check.payload, message.id, attempt);
      stop({ outcome: outcome.ok ? 'succeeded' : 'failed' });
      const finished = this.report(
        outcome.ok
          ? { taskId: message.id, attempt, status: 'succeeded', result: outcome.result }
          : { taskId: message.id, attempt, status: 'failed', error: outcome.error },
      );
      await Promise.all([running, finished]);
      delivery.ack();
    } catch (err) {
      // The report was not confirmed: hand the message back so the task is not lost.
      this.logger.warn(`task ${message.id} handed back: ${(err as Error).message}`);
      delivery.nack(true);
    }
  }

  private async execute(
    kind: TaskKind,
    handler: TaskHandler,
    payload: object,
    taskId: string,
    attempt: number,
  ): Promise<Outcome> {
    try {
      if (kind === 'cpu') return await this.pool.run({ type: handler.type, payload, attempt });
      // checkRegistry refused to boot unless every IO-capable type has an io function.
      if (!handler.io) throw new HandlerError(`no IO handler for ${handler.type}`, 'NO_HANDLER', false);
      const result = await handler.io(payload as never, {
        taskId,
        attempt,
        signal: new AbortController().signal,
      });
      return { ok: true, result };
    } catch (err) {
      if (err instanceof HandlerError)
        return { ok: false, error: { message: err.message, code: err.code, retryable: err.retryable } };
      return {
        ok: false,
        error: { message: (err as Error).message ?? String(err), code: 'HANDLER_ERROR', retryable: true },
      };
    }
  }

  private async isCancelled(taskId: string): Promise<boolean> {
    try {
      return (await this.redis.exists(cancelMarkKey(taskId))) === 1;
    } catch (err) {
      // Redis down: run rather than stall; the gateway ignores reports for a cancelled task.
      this.logger.warn(`cancel check for ${taskId} skipped: ${(err as Error).message}`);
      return false;
    }
  }

  /**
   * Dead-letters a message the worker cannot run, with the reason in a header so operators and
   * the gateway see why. If that publish fails, the broker dead-letters it (reason `rejected`).
   */
  private async reject(queue: string, delivery: Delivery, code: string, problem: string): Promise<void> {
    rejected.inc({ reason: code });
    this.logger.warn(`message dead-lettered (${code}): ${problem}`);
    const props = delivery.message.properties;
    try {
      await this.amqp.publish(EXCHANGES.dlx, '', delivery.body, {
        messageId: typeof props.messageId === 'string' ? props.messageId : undefined,
        correlationId: delivery.correlationId,
        type: typeof props.type === 'string' ? props.type : undefined,
        contentType: typeof props.contentType === 'string' ? props.contentType : 'application/octet-stream',
        headers: { ...props.headers, [REJECTION_HEADER]: JSON.stringify({ code, message: problem, queue }) },
      });
      delivery.ack();
    } catch {
      delivery.nack(false);
    }
  }

  private report(status: Omit<StatusMessage, 'at' | 'workerId'>): Promise<void> {
    return this.reports.report({ ...status, at: new Date().toISOString(), workerId: this.workerId });
  }
}
