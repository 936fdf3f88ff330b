import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import type { GroupRate, Priority, StatusMessage, TaskErrorInfo, TaskKind } from '@conveyor/contracts';
import { HandlerError, TaskCancelled } from '@conveyor/tasks/cpu';
import { CancelMarks } from './cancel-marks';
import { CpuPool } from './cpu-pool';
import { GroupRateGate } from './group-rate-gate';
import type { TaskHandler } from './handler';
import { RunningTask, RunningTasks } from './running-task';
import { StatusPublisher } from './status-publisher';
import { WorkerMetrics } from './worker.metrics';

/** What a handler is called with: its payload and, in a flow, its parents' results. */
interface Input {
  payload: object;
  parents: Readonly<Record<string, unknown>>;
}

/** What one attempt runs: the handler of its type and kind, its input and its group's rate. */
export interface AttemptJob {
  kind: TaskKind;
  type: string;
  handler: TaskHandler;
  payload: object;
  parents?: Readonly<Record<string, unknown>>;
  rate?: GroupRate;
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: TaskErrorInfo };

const CANCELLED = new TaskCancelled();
const THREAD_ENDED: TaskErrorInfo = {
  message:
    'cancelled while running; the handler did not stop within WORKER_CANCEL_GRACE_MS, so its thread was ended',
  code: 'CANCELLED_THREAD_ENDED',
  retryable: false,
};

/**
 * Runs attempts of tasks in this worker: skip if cancelled, execute (CPU in the pool, IO on the
 * event loop), report `running`, progress and the outcome, and stop an attempt when cancelled.
 */
@Injectable()
export class AttemptRunner implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AttemptRunner.name);
  private readonly workerId = `${hostname()}:${process.pid}`;
  private readonly running = new RunningTasks();
  private progressTimer?: NodeJS.Timeout;

  constructor(
    private readonly pool: CpuPool,
    private readonly cancelMarks: CancelMarks,
    private readonly rates: GroupRateGate,
    private readonly reports: StatusPublisher,
    private readonly metrics: WorkerMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.progressTimer = setInterval(() => this.reportProgress(), this.config.worker.progressIntervalMs);
    this.progressTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.progressTimer);
  }

  /** Registers an attempt before its cancel check, so a cancel broadcast after the check finds it. */
  begin(taskId: string, attempt: number, priority: Priority, kind: TaskKind): RunningTask {
    return this.running.start(taskId, attempt, priority, kind === 'cpu');
  }

  end(run: RunningTask): void {
    this.running.finish(run);
  }

  /** Stops every attempt of the task running here; returns how many there were. */
  cancel(taskId: string): number {
    return this.running.cancel(taskId);
  }

  /**
   * One attempt: wait for a start within its group's rate, execute and report the outcome.
   * `running` is reported only if the attempt is still running after `STATUS_BATCH_MS`: a shorter
   * one would have sent it in the same batch as its outcome, which then carries `startedAt`
   * instead. Returns the reports' confirms (the work does not wait for them), or undefined when the
   * task was cancelled before it began.
   */
  async run(run: RunningTask, job: AttemptJob): Promise<Promise<void>[] | undefined> {
    const { kind, type, handler, payload, parents = {} } = job;
    if (run.cancelled || (await this.cancelMarks.isCancelled(run.taskId))) {
      this.metrics.cancelled.inc({ how: 'before-start' });
      return undefined;
    }
    const admitted = job.rate ? await this.rates.admit(job.rate, run.signal) : Date.now();
    if (admitted === null) {
      this.metrics.cancelled.inc({ how: 'before-start' });
      return undefined;
    }
    const startedAt = new Date(admitted).toISOString();
    const reports: Promise<void>[] = [];
    const runningDue = setTimeout(() => {
      const running = this.report(run, { status: 'running' }, startedAt);
      running.catch(() => undefined); // awaited by the caller; this only keeps it from counting as unhandled meanwhile
      reports.push(running);
    }, this.config.status.batchMs);
    const stop = this.metrics.duration.startTimer({ type, kind });
    const outcome = await this.execute(kind, handler, { payload, parents }, run);
    clearTimeout(runningDue);
    // Once cancelled, the attempt ends as cancelled whatever the handler returned.
    const status = run.cancelled ? 'cancelled' : outcome.ok ? 'succeeded' : 'failed';
    stop({ outcome: status });
    const threadEnded = !outcome.ok && outcome.error.code === THREAD_ENDED.code;
    if (status === 'cancelled')
      this.metrics.cancelled.inc({ how: threadEnded ? 'thread-ended' : 'in-handler' });
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
    input: Input,
    run: RunningTask,
  ): Promise<Outcome> {
    const { payload, parents } = input;
    try {
      if (kind === 'cpu') return await this.executeCpu(handler, input, run);
      // The registry refused to boot unless every IO-capable type has an io function.
      if (!handler.io) throw new HandlerError('no IO handler', 'NO_HANDLER', false);
      const result = await handler.io(payload as never, {
        taskId: run.taskId,
        attempt: run.attempt,
        parents,
        get signal() {
          return run.signal;
        },
        faultDrills: this.config.worker.faultDrills,
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
   * Runs a CPU function in the pool. A cancel sets the shared flag the function polls, so the thread
   * stops and is reused; a function that does not stop within the grace period loses its thread.
   */
  private async executeCpu(handler: TaskHandler, input: Input, run: RunningTask): Promise<Outcome> {
    if (!handler.cpu) throw new HandlerError('no CPU function', 'NO_HANDLER', false);
    const hardStop = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const onCancel = () => (timer = setTimeout(() => hardStop.abort(), this.config.worker.cancelGraceMs));
    run.signal.addEventListener('abort', onCancel, { once: true });
    try {
      const job = {
        fn: handler.cpu,
        payload: input.payload,
        parents: input.parents,
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

  private report(
    run: RunningTask,
    status: Omit<StatusMessage, 'taskId' | 'attempt' | 'at' | 'workerId'>,
    at = new Date().toISOString(),
  ): Promise<void> {
    return this.reports.report(
      // Object.assign, not spread: a report per task, and spread-then-add is slow in V8.
      Object.assign({}, status, { taskId: run.taskId, attempt: run.attempt, at, workerId: this.workerId }),
      run.priority,
    );
  }
}

function errorInfo(err: HandlerError): TaskErrorInfo {
  return { message: err.message, code: err.code, retryable: err.retryable };
}
