import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BackgroundLoop } from '@conveyor/common';
import { TasksRepository, TasksService } from '@conveyor/tasks/gateway';
import { dueAt, idAt, inSlotOrder } from './id-batch-plan';
import { IdBatchesRepository } from './id-batches.repository';

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
  private readonly loop = new BackgroundLoop(async () => (await this.pass()) > 0, {
    idleMs: IDLE_POLL_MS,
    maxBackoffMs: IDLE_POLL_MS,
    onError: (err) => this.logger.warn(`creating ID batch tasks failed, retrying: ${err.message}`),
  });

  constructor(
    private readonly repo: IdBatchesRepository,
    private readonly tasksRepo: TasksRepository,
    private readonly tasks: TasksService,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** A new batch exists: stop idling. */
  wake(): void {
    this.loop.wake();
  }

  /** One chunk of one batch; returns how many tasks it created. */
  private async pass(): Promise<number> {
    return this.repo.transaction(async (tx) => {
      const batch = await this.repo.claimOpen(tx);
      if (!batch) return 0;
      const prepared = [];
      for (const placement of inSlotOrder(batch, batch.materialized)) {
        prepared.push(
          this.tasks.prepare(
            {
              type: 'user.process',
              payload: {
                userId: idAt(batch.source, placement.index),
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
      await this.tasksRepo.insertMany(prepared, tx);
      await this.repo.advance(tx, batch.id, batch.materialized + prepared.length);
      return prepared.length;
    });
  }
}
