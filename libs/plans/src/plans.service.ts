import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { toPage } from '@conveyor/common';
import { PlansSyncResult, parseMessage, plansChunkSchema } from '@conveyor/contracts';
import type { Delivery } from '@conveyor/messaging';
import { TaskEntity, TaskReportsService, TasksService } from '@conveyor/tasks';
import { PlanSyncListDto } from './plans.dto';
import { PlansRepository } from './plans.repository';
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
    this.reports.onSucceeded('plans.sync', async (m, tasks) => {
      for (const t of tasks) await this.repo.recordResult(m, t.id, t.result as PlansSyncResult);
    });
  }

  /** Starts a sync, or returns the one that is pending or running (`created: false`). */
  async requestSync(trigger: 'schedule' | 'manual'): Promise<{ task: TaskEntity; created: boolean }> {
    const active = await this.activeSync();
    if (active) return { task: active, created: false };
    try {
      // One attempt: the next scheduled sync is the retry, and a failed run is recorded as such.
      const { task } = await this.tasks.create({ type: 'plans.sync', payload: { trigger }, maxAttempts: 1 });
      return { task, created: true };
    } catch (err) {
      const raced =
        err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505';
      const now = raced ? await this.activeSync() : null;
      if (now) return { task: now, created: false };
      throw err;
    }
  }

  async listSyncs(limit: number, offset: number): Promise<PlanSyncListDto> {
    return toPage(await this.repo.listSyncs(limit + 1, offset), limit, offset);
  }

  /**
   * One chunk of a sync's plans from a worker, applied in its own transaction. A malformed chunk
   * is dead-lettered; after a database failure it goes back to the queue.
   */
  async receiveChunk(delivery: Delivery): Promise<void> {
    const parsed = parseMessage(plansChunkSchema, delivery.body);
    if (!parsed.ok) {
      this.logger.warn(`invalid plans chunk dead-lettered: ${parsed.problem}`);
      delivery.nack(false);
      return;
    }
    const { taskId, attempt, index, plans } = parsed.value;
    try {
      const applied = await this.repo.applyChunk(taskId, attempt, index, plans);
      delivery.ack();
      if (applied && applied.created + applied.changed > 0) await this.cache.invalidate();
    } catch (err) {
      this.logger.warn(`plans chunk ${index} of ${taskId} not applied: ${(err as Error).message}`);
      delivery.nack(true);
    }
  }

  private async activeSync(): Promise<TaskEntity | null> {
    const id = await this.repo.activeSyncId();
    return id ? this.tasks.get(id) : null;
  }
}
