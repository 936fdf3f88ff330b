import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { toPage } from '@conveyor/common';
import { PlansSyncResult, plansChunkSchema } from '@conveyor/contracts';
import { sqlState } from '@conveyor/db';
import { Delivery, parseOrDeadLetter } from '@conveyor/messaging';
import { TaskReportsService, TaskResponseDto, TasksService } from '@conveyor/tasks/gateway';
import { PlanSyncDto, PlanSyncListDto } from './plans.dto';
import { PlanSyncRow, PlansRepository } from './plans.repository';
import { SearchCache } from './search.cache';

/** Plans syncs: starting one (never two at once), applying their chunks, listing the runs. */
@Injectable()
export class PlansService implements OnModuleInit {
  private readonly logger = new Logger(PlansService.name);

  constructor(
    private readonly repo: PlansRepository,
    private readonly tasks: TasksService,
    private readonly reports: TaskReportsService,
    private readonly cache: SearchCache,
  ) {}

  /** A succeeded sync records what it skipped (its plans arrived ahead of it, in chunks). */
  onModuleInit(): void {
    this.reports.onSucceeded('plans.sync', async (tx, tasks) => {
      for (const t of tasks) await this.repo.recordResult(tx, t.id, t.result as PlansSyncResult);
    });
  }

  /** Starts a sync, or returns the one that is pending or running (`created: false`). */
  async requestSync(trigger: 'schedule' | 'manual'): Promise<{ task: TaskResponseDto; created: boolean }> {
    const active = await this.activeSync();
    if (active) return { task: active, created: false };
    try {
      // One attempt: the next scheduled sync is the retry, and a failed run is recorded as such.
      const { task } = await this.tasks.create({ type: 'plans.sync', payload: { trigger }, maxAttempts: 1 });
      return { task, created: true };
    } catch (err) {
      const now = sqlState(err).code === '23505' ? await this.activeSync() : null;
      if (now) return { task: now, created: false };
      throw err;
    }
  }

  async listSyncs(limit: number, offset: number): Promise<PlanSyncListDto> {
    const rows = await this.repo.listSyncs(limit + 1, offset);
    return toPage(rows.map(syncView), limit, offset);
  }

  /**
   * One chunk of a sync's plans from a worker, applied in its own transaction. A malformed chunk
   * is dead-lettered; after a database failure it goes back to the queue.
   */
  async receiveChunk(delivery: Delivery): Promise<void> {
    const chunk = parseOrDeadLetter(delivery, plansChunkSchema, 'plans chunk', this.logger);
    if (!chunk) return;
    const { taskId, attempt, index, plans } = chunk;
    try {
      const applied = await this.repo.applyChunk(taskId, attempt, index, plans);
      delivery.ack();
      if (applied && applied.created + applied.changed > 0) await this.cache.invalidate();
    } catch (err) {
      this.logger.warn(`plans chunk ${index} of ${taskId} not applied: ${(err as Error).message}`);
      delivery.nack(true);
    }
  }

  private async activeSync(): Promise<TaskResponseDto | null> {
    const id = await this.repo.activeSyncId();
    return id ? this.tasks.get(id) : null;
  }
}

function syncView(row: PlanSyncRow): PlanSyncDto {
  return {
    taskId: row.taskId,
    status: row.status,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    error: row.error,
    chunks: row.chunks,
    chunksExpected: row.chunksExpected,
    plansSeen: row.plansSeen,
    plansNew: row.plansNew,
    plansChanged: row.plansChanged,
    skipped: row.skipped,
    warnings: row.warnings,
  };
}
