import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { toPage } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { MAX_DELAY_SECONDS, TaskChangesRepository, TasksService } from '@conveyor/tasks/gateway';
import { WINDOW_SLOTS, dueAt, idAt, indexAt, nextWindowStart, placementOf, slotSize } from './id-batch-plan';
import {
  IdBatchCreateDto,
  IdBatchDto,
  IdBatchListDto,
  IdBatchSource,
  RANGE_MAX,
  SlotListDto,
  SlotQueryDto,
} from './id-batches.dto';
import { IdBatchTasksRepository } from './id-batch-tasks.repository';
import { IdBatchRow, IdBatchesRepository } from './id-batches.repository';
import { IdBatchMaterializer } from './id-batch.materializer';
import { UsersError } from './users.error';

/** Pending tasks re-planned per statement when a batch's rate changes. */
const REPLAN_PAGE = 5000;

@Injectable()
export class IdBatchesService {
  constructor(
    private readonly repo: IdBatchesRepository,
    private readonly batchTasks: IdBatchTasksRepository,
    private readonly taskChanges: TaskChangesRepository,
    private readonly tasks: TasksService,
    private readonly materializer: IdBatchMaterializer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Stores the batch as its source and rate only (O(1) in its size); tasks are created in the background. */
  async create(dto: IdBatchCreateDto): Promise<IdBatchDto> {
    const source = sourceOf(dto);
    const total = source.kind === 'range' ? source.to - source.from + 1 : source.ids.length;
    const now = new Date();
    const slotMs = this.config.idBatchSlotMs;
    let startsAt = nextWindowStart(now, slotMs);
    if (dto.startAt !== undefined) {
      startsAt = new Date(dto.startAt);
      if (startsAt.getTime() < now.getTime())
        throw new UsersError('VALIDATION', 'startAt must not be in the past');
      if (startsAt.getTime() > now.getTime() + MAX_DELAY_SECONDS * 1000) {
        throw new UsersError('VALIDATION', 'startAt: at most 365 days ahead');
      }
    }
    const row = await this.repo.insert({ id: uuidv7(), rpm: dto.rpm, startsAt, slotMs, total, source });
    this.materializer.wake();
    return view(row, []);
  }

  async list(limit: number, offset: number): Promise<IdBatchListDto> {
    const page = toPage(await this.repo.list(limit + 1, offset), limit, offset);
    return { ...page, items: page.items.map((r) => view(r, null)) };
  }

  async get(id: string): Promise<IdBatchDto> {
    const row = await this.find(id);
    return view(row, await this.batchTasks.statusCounts(id));
  }

  /**
   * The batch by slot: time, count and one page of IDs each, and how many of them have their task
   * yet. While the tasks are still being created the batch cannot have been re-planned (PATCH
   * waits for them), so its closed-form plan is exact and answers at once; after that, the tasks do.
   */
  async slots(id: string, page: SlotQueryDto): Promise<SlotListDto> {
    const row = await this.find(id);
    const found = await this.batchTasks.slots(id, row.startsAt, row.slotMs, page);
    const bySlot = new Map(found.map((s) => [s.slot, s]));
    const creating = row.materialized < row.total && !row.cancelledAt;
    const full = creating ? await this.repo.find(id, true) : null;
    const plan = { total: row.total, rpm: row.rpm };
    return {
      items: Array.from({ length: WINDOW_SLOTS }, (_, slot) => {
        const created = bySlot.get(slot)?.count ?? 0;
        if (!full)
          return { ...slotTimes(row, slot), count: created, created, ids: bySlot.get(slot)?.ids ?? [] };
        const count = slotSize(slot, plan);
        const positions = Array.from(
          { length: Math.max(0, Math.min(page.limit, count - page.offset)) },
          (_, i) => page.offset + i,
        );
        const ids = positions.map((p) => idAt(full.source, indexAt(slot, p, plan)));
        return { ...slotTimes(row, slot), count, created, ids };
      }),
      limit: page.limit,
      offset: page.offset,
      scheduled: row.cancelledAt ? 0 : row.total - row.materialized,
    };
  }

  /**
   * Spreads the IDs that have not started (pending tasks, in batch order) over a window at the new
   * rate: the batch's own window if it has not begun, else the next one.
   */
  async changeRate(id: string, rpm: number): Promise<IdBatchDto> {
    await this.repo.transaction(async (tx) => {
      const row = await this.repo.lock(tx, id);
      if (!row) throw new UsersError('NOT_FOUND', `ID batch ${id} not found`);
      if (row.cancelledAt) throw new UsersError('CONFLICT', `ID batch ${id} is cancelled`);
      if (row.materialized < row.total) {
        throw new UsersError(
          'CONFLICT',
          `ID batch ${id} is still creating its tasks (${row.materialized} of ${row.total}); retry once GET shows them all`,
        );
      }
      const now = new Date();
      const startsAt = row.startsAt > now ? row.startsAt : nextWindowStart(now, row.slotMs);
      const plan = { total: await this.batchTasks.countPending(tx, id), rpm };
      let k = 0;
      for (let after = -1; ;) {
        const page = await this.batchTasks.pendingPage(tx, id, after, REPLAN_PAGE);
        if (page.length === 0) break;
        const runAts = page.map(() => dueAt(placementOf(k++, plan), plan, startsAt, row.slotMs));
        await this.taskChanges.reschedule(
          tx,
          page.map((t) => t.id),
          runAts,
        );
        after = page[page.length - 1].batchIndex;
      }
      await this.repo.replan(tx, id, rpm, startsAt);
    });
    return this.get(id);
  }

  /** Cancels the IDs that have not started: no more tasks are created, pending and queued ones are cancelled. */
  async cancel(id: string): Promise<IdBatchDto> {
    const cancelled = await this.repo.transaction(async (tx) => {
      const row = await this.repo.lock(tx, id);
      if (!row) throw new UsersError('NOT_FOUND', `ID batch ${id} not found`);
      await this.repo.cancel(tx, id);
      return this.taskChanges.cancelWaiting(tx, await this.batchTasks.waitingIds(tx, id));
    });
    await this.tasks.markCancelled(cancelled);
    return this.get(id);
  }

  private async find(id: string): Promise<IdBatchRow> {
    const row = await this.repo.find(id);
    if (!row) throw new UsersError('NOT_FOUND', `ID batch ${id} not found`);
    return row;
  }
}

/** Checks what class-validator cannot: one of ids/range, no duplicates, a non-empty bounded range. */
function sourceOf(dto: IdBatchCreateDto): IdBatchSource {
  if (dto.ids && dto.range) throw new UsersError('VALIDATION', 'give ids or range, not both');
  if (dto.range) {
    const { from, to } = dto.range;
    if (from > to)
      throw new UsersError('VALIDATION', `range.from (${from}) must not be greater than range.to (${to})`);
    if (to - from + 1 > RANGE_MAX) throw new UsersError('VALIDATION', `range: at most ${RANGE_MAX} IDs`);
    return { kind: 'range', from, to };
  }
  if (!dto.ids) throw new UsersError('VALIDATION', 'give ids (a list of user IDs) or range ({from, to})');
  const seen = new Set<number>();
  const repeated = new Set<number>();
  for (const id of dto.ids) (seen.has(id) ? repeated : seen).add(id);
  if (repeated.size > 0) {
    const some = [...repeated].slice(0, 5).join(', ');
    throw new UsersError(
      'VALIDATION',
      `ids must not repeat (duplicates are rejected): ${some}${repeated.size > 5 ? ', ...' : ''}`,
    );
  }
  return { kind: 'list', ids: dto.ids };
}

function view(row: IdBatchRow, counts: { status: string; n: number }[] | null): IdBatchDto {
  const source = row.source.kind === 'range' ? row.source : { kind: 'list' as const, count: row.total };
  const byStatus: Record<string, number> = {};
  for (const c of counts ?? []) byStatus[c.status] = c.n;
  return {
    id: row.id,
    rpm: row.rpm,
    startsAt: row.startsAt,
    endsAt: new Date(row.startsAt.getTime() + WINDOW_SLOTS * row.slotMs),
    total: row.total,
    materialized: row.materialized,
    source,
    counts: { scheduled: row.cancelledAt ? 0 : row.total - row.materialized, ...byStatus },
    cancelledAt: row.cancelledAt,
    createdAt: row.createdAt,
  };
}

function slotTimes(row: IdBatchRow, slot: number): { slot: number; startsAt: Date } {
  return { slot, startsAt: new Date(row.startsAt.getTime() + slot * row.slotMs) };
}
