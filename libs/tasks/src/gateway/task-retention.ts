import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundLoop } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { TaskStatus } from '@conveyor/contracts';
import { TasksMetrics } from './tasks.metrics';
import { TasksRepository } from './tasks.repository';

const HOUR_MS = 3_600_000;

/** What is due: tasks that finished before these times (null: kept for ever). */
export interface RetentionCutoffs {
  /** succeeded, failed and cancelled ones */
  finished: Date | null;
  dead: Date | null;
}

/**
 * Deletes up to about `limit` tasks that are due; answers how many it deleted and whether more
 * are due. A flow's tasks go together, once every one of them is due.
 */
export type RetentionPass = (
  cutoffs: RetentionCutoffs,
  limit: number,
) => Promise<{ deleted: number; full: boolean }>;

/**
 * Removes finished tasks older than TASK_RETENTION_HOURS (dead ones only by their own setting), with
 * their attempts, a bounded batch per statement: each batch locks only the rows it deletes (SKIP
 * LOCKED, so gateways share the work), and submissions never wait behind a long delete.
 */
@Injectable()
export class TaskRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TaskRetention.name);
  private readonly loop: BackgroundLoop;
  private readonly passes: RetentionPass[];

  constructor(
    tasks: TasksRepository,
    private readonly metrics: TasksMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const kinds: [TaskStatus[], keyof RetentionCutoffs][] = [
      [['succeeded', 'failed', 'cancelled'], 'finished'],
      [['dead'], 'dead'],
    ];
    this.passes = kinds.map(([statuses, kind]) => async (cutoffs, limit) => {
      const before = cutoffs[kind];
      if (before === null) return { deleted: 0, full: false };
      const deleted = await tasks.deleteFinished(statuses, before, limit);
      return { deleted, full: deleted === limit };
    });
    this.loop = new BackgroundLoop(() => this.pass(), {
      idleMs: config.retention.intervalMs,
      maxBackoffMs: Math.max(config.retention.intervalMs, 60_000),
      // A backlog (a first start, a lowered TASK_RETENTION_HOURS) drains without taking the database from submissions.
      busyShare: config.retention.busyShare,
      onError: (err, retryIn) =>
        this.logger.warn(`retention pass failed, again in ${retryIn} ms: ${err.message}`),
    });
  }

  /** Another table's finished rows, removed on the same schedule and settings (flows). */
  also(pass: RetentionPass): void {
    this.passes.push(pass);
  }

  onApplicationBootstrap(): void {
    const { finishedHours, deadHours } = this.config.retention;
    if (finishedHours > 0 || deadHours > 0) this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One batch of each kind; true when a batch was full (more is due at once). */
  async pass(): Promise<boolean> {
    const { finishedHours, deadHours, batchSize } = this.config.retention;
    const ago = (hours: number) => (hours > 0 ? new Date(Date.now() - hours * HOUR_MS) : null);
    const cutoffs = { finished: ago(finishedHours), dead: ago(deadHours) };
    let full = false;
    for (const deleteDue of this.passes) {
      const pass = await deleteDue(cutoffs, batchSize);
      if (pass.deleted > 0) this.metrics.retentionDeleted.inc(pass.deleted);
      full ||= pass.full;
    }
    return full;
  }
}
