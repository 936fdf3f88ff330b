import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { RedisService, Semaphore, metricsRegistry } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import {
  REJECTION_HEADER,
  StatusMessage,
  TaskErrorInfo,
  TaskKind,
  controlMessageSchema,
  checkPayload,
  findTaskType,
  parseMessage,
  taskMessageSchema,
} from '@conveyor/contracts';
import { RatesService } from '@conveyor/currency';
import { AmqpService, Delivery, EXCHANGES } from '@conveyor/messaging';
import { CancelMarks } from './cancel-marks';
import { CpuPool } from './cpu-pool';
import { HandlerError, TaskCancelled, TaskHandler } from './handler';
import { HandlerRegistry, workerHandlers } from './handler-registry';
import { PlansFeed } from './plans-feed';
import { RunningTask, RunningTasks } from './running-task';
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

const cancelled = new Counter({
  name: 'conveyor_tasks_cancelled_total',
  help: 'Task attempts this worker stopped for a cancel: before start, inside the handler (its thread is reused), or by ending its thread',
  labelNames: ['how'],
  registers: [metricsRegistry],
});

type Outcome = { ok: true; result: unknown } | { ok: false; error: TaskErrorInfo };

const CANCELLED = new TaskCancelled();
const THREAD_ENDED: TaskErrorInfo = {
  message:
    'cancelled while running; the handler did not stop within WORKER_CANCEL_GRACE_MS, so its thread was ended',
  code: 'CANCELLED_THREAD_ENDED',
  retryable: false,
};

/**
 * Runs one task message: validate, skip if cancelled, report `running`, execute (CPU in the pool,
 * IO on the event loop), report the outcome, and ack only once that report is confirmed.
 */
@Injectable()
export class TaskRunner implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TaskRunner.name);
  private readonly workerId = `${hostname()}:${process.pid}`;
  private readonly registry: HandlerRegistry;
  private readonly running = new RunningTasks();
  private readonly active = new Set<Promise<void>>();
  private progressTimer?: NodeJS.Timeout;
  private readonly cancelMarks: CancelMarks;

  constructor(
    private readonly amqp: AmqpService,
    private readonly pool: CpuPool,
    redis: RedisService,
    private readonly reports: StatusPublisher,
    rates: RatesService,
    plans: PlansFeed,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.registry = new HandlerRegistry(workerHandlers({ rates, plans }));
    this.cancelMarks = new CancelMarks(redis);
  }

  onModuleInit(): void {
    this.progressTimer = setInterval(() => this.reportProgress(), this.config.worker.progressIntervalMs);
    this.progressTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.progressTimer);
  }

  /** A broadcast from `conveyor.control`: stops the task if it runs here. A malformed one is dead-lettered. */
  control(delivery: Delivery): Promise<void> {
    const parsed = parseMessage(controlMessageSchema, delivery.body);
    if (!parsed.ok) {
      this.logger.warn(`invalid control message dead-lettered: ${parsed.problem}`);
      delivery.nack(false);
      return Promise.resolve();
    }
    if (this.running.cancel(parsed.value.taskId) > 0)
      this.logger.log(`task ${parsed.value.taskId} cancelled while running`);
    delivery.ack();
    return Promise.resolve();
  }

  /** Runs a task message of `queue`; `slots` bounds how many of its lane's handlers run at once. */
  async handle(queue: string, delivery: Delivery, slots: Semaphore): Promise<void> {
    inFlight.inc({ queue });
    const work = this.process(queue, delivery, slots);
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

  private async process(queue: string, delivery: Delivery, slots: Semaphore): Promise<void> {
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
    // Registered before the cancel check: a cancel broadcast after the check finds it here.
    const kind = contract.kindOf(check.payload);
    const run = this.running.start(message.id, delivery.attempt, message.priority, kind === 'cpu');
    try {
      // The slot is held until the handler returns, not while the reports await their confirms.
      const reports = await slots.run(() => this.attempt(run, kind, handler, check.payload));
      if (!reports) {
        cancelled.inc({ how: 'before-start' });
        delivery.ack();
        return;
      }
      await Promise.all(reports);
      delivery.ack();
    } catch (err) {
      // A report was not confirmed: hand the message back so the task is not lost.
      this.logger.warn(`task ${run.taskId} handed back: ${(err as Error).message}`);
      delivery.nack(true);
    } finally {
      this.running.finish(run);
    }
  }

  /**
   * One attempt: execute and report the outcome. `running` is reported only if the attempt is still
   * running after `STATUS_BATCH_MS`: a shorter one would have sent it in the same batch as its
   * outcome, which then carries `startedAt` instead. Returns the reports' confirms (the work does
   * not wait for them), or undefined when the task was cancelled before it began.
   */
  private async attempt(
    run: RunningTask,
    kind: TaskKind,
    handler: TaskHandler,
    payload: object,
  ): Promise<Promise<void>[] | undefined> {
    if (run.cancelled || (await this.cancelMarks.isCancelled(run.taskId))) return undefined;
    const startedAt = new Date().toISOString();
    const reports: Promise<void>[] = [];
    const runningDue = setTimeout(() => {
      const running = this.report(run, { status: 'running' }, startedAt);
      running.catch(() => undefined); // awaited by the caller; this only keeps it from counting as unhandled meanwhile
      reports.push(running);
    }, this.config.status.batchMs);
    const stop = duration.startTimer({ type: handler.type, kind });
    const outcome = await this.execute(kind, handler, payload, run);
    clearTimeout(runningDue);
    // Once cancelled, the attempt ends as cancelled whatever the handler returned.
    const status = run.cancelled ? 'cancelled' : outcome.ok ? 'succeeded' : 'failed';
    stop({ outcome: status });
    const threadEnded = !outcome.ok && outcome.error.code === THREAD_ENDED.code;
    if (status === 'cancelled') cancelled.inc({ how: threadEnded ? 'thread-ended' : 'in-handler' });
    const began = reports.length === 0 ? { startedAt } : {};
    const finished = this.report(
      run,
      status === 'cancelled'
        ? { status, ...began, error: threadEnded ? THREAD_ENDED : errorInfo(CANCELLED) }
        : outcome.ok
          ? { status: 'succeeded', ...began, result: outcome.result }
          : { status: 'failed', ...began, error: outcome.error },
    );
    finished.catch(() => undefined); // likewise
    reports.push(finished);
    return reports;
  }

  private async execute(
    kind: TaskKind,
    handler: TaskHandler,
    payload: object,
    run: RunningTask,
  ): Promise<Outcome> {
    const faultDrills = this.config.worker.faultDrills;
    try {
      if (kind === 'cpu') return await this.executeCpu(handler, payload, run);
      // checkRegistry refused to boot unless every IO-capable type has an io function.
      if (!handler.io) throw new HandlerError(`no IO handler for ${handler.type}`, 'NO_HANDLER', false);
      const result = await handler.io(payload as never, {
        taskId: run.taskId,
        attempt: run.attempt,
        get signal() {
          return run.signal;
        },
        faultDrills,
        progress: (percent) => run.setProgress(percent),
      });
      return { ok: true, result };
    } catch (err) {
      if (err instanceof HandlerError) return { ok: false, error: errorInfo(err) };
      return {
        ok: false,
        error: { message: (err as Error).message ?? String(err), code: 'HANDLER_ERROR', retryable: true },
      };
    }
  }

  /**
   * Runs a CPU handler in the pool. A cancel sets the shared flag the handler polls, so the thread
   * stops and is reused; a handler that does not stop within the grace period loses its thread.
   */
  private async executeCpu(handler: TaskHandler, payload: object, run: RunningTask): Promise<Outcome> {
    const hardStop = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const onCancel = () => (timer = setTimeout(() => hardStop.abort(), this.config.worker.cancelGraceMs));
    run.signal.addEventListener('abort', onCancel, { once: true });
    try {
      const job = {
        type: handler.type,
        payload,
        attempt: run.attempt,
        faultDrills: this.config.worker.faultDrills,
        control: run.sharedControl,
      };
      return await this.pool.run(job, hardStop.signal);
    } catch (err) {
      if (!hardStop.signal.aborted) throw err;
      return { ok: false, error: THREAD_ENDED };
    } finally {
      clearTimeout(timer);
      run.signal.removeEventListener('abort', onCancel);
    }
  }

  /** Sends the progress of running attempts that moved since their last report (best effort). */
  private reportProgress(): void {
    for (const run of this.running.all()) {
      const progress = run.progress;
      if (progress <= run.reportedProgress || run.cancelled) continue;
      run.reportedProgress = progress;
      this.report(run, { status: 'progress', progress }).catch((err: Error) =>
        this.logger.debug(`progress of ${run.taskId} not sent: ${err.message}`),
      );
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

  private report(
    run: RunningTask,
    status: Omit<StatusMessage, 'taskId' | 'attempt' | 'at' | 'workerId'>,
    at = new Date().toISOString(),
  ): Promise<void> {
    return this.reports.report(
      {
        ...status,
        taskId: run.taskId,
        attempt: run.attempt,
        at,
        workerId: this.workerId,
      },
      run.priority,
    );
  }
}

function errorInfo(err: HandlerError): TaskErrorInfo {
  return { message: err.message, code: err.code, retryable: err.retryable };
}
