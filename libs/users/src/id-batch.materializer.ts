import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { TasksRepository, TasksService } from '@conveyor/tasks';
import { dueAt, inSlotOrder } from './id-batch-plan';
import { IdBatchRow, IdBatchesRepository } from './id-batches.repository';

/** IDs turned into tasks per transaction. */
const CHUNK = 1000;
const IDLE_POLL_MS = 500;

/**
 * Creates the tasks of ID batches in the background, in slot order (the earliest first), a chunk
 * per transaction that also advances the batch's cursor: a crash loses nothing and repeats
 * nothing, and several gateways can share the work (SKIP LOCKED).
 */
@Injectable()
export class IdBatchMaterializer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IdBatchMaterializer.name);
  private running = false;
  private loop?: Promise<void>;
  private idle = new AbortController();

  constructor(
    private readonly repo: IdBatchesRepository,
    private readonly tasksRepo: TasksRepository,
    private readonly tasks: TasksService,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.idle.abort();
    await this.loop;
  }

  /** A new batch exists: stop idling. */
  wake(): void {
    this.idle.abort();
  }

  /** One chunk of one batch; returns how many tasks it created. */
  private async pass(): Promise<number> {
    return this.repo.transaction(async (m) => {
      const batch = await this.repo.claimOpen(m);
      if (!batch) return 0;
      const prepared = [];
      for (const placement of inSlotOrder(batch, batch.materialized)) {
        prepared.push(
          this.tasks.prepare(
            {
              type: 'user.process',
              payload: {
                userId: idAt(batch, placement.index),
                batchId: batch.id,
                batchIndex: placement.index,
              },
              runAt: dueAt(placement, batch, batch.startsAt, batch.slotMs).toISOString(),
            },
            '',
            null,
          ),
        );
        if (prepared.length === CHUNK) break;
      }
      await this.tasksRepo.insertMany(prepared, m);
      await this.repo.advance(m, batch.id, batch.materialized + prepared.length);
      return prepared.length;
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      const created = await this.pass().catch((err: Error) => {
        this.logger.warn(`creating ID batch tasks failed, retrying: ${err.message}`);
        return 0;
      });
      if (created > 0 || !this.running) continue;
      if (this.idle.signal.aborted) {
        this.idle = new AbortController(); // woken while busy: look again at once
        continue;
      }
      await sleep(IDLE_POLL_MS, undefined, { signal: this.idle.signal }).catch(() => undefined);
    }
  }
}

/** The ID at a batch index, from the stored source (a range needs no list). */
function idAt(batch: IdBatchRow, index: number): number {
  return batch.source.kind === 'range' ? batch.source.from + index : batch.source.ids[index];
}
