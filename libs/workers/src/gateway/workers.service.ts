import { Injectable, Logger } from '@nestjs/common';
import { toPage } from '@conveyor/common';
import { workerHeartbeatSchema } from '@conveyor/contracts';
import { Delivery, parseOrDeadLetter } from '@conveyor/messaging';
import type { WorkerListDto, WorkersQueryDto } from './workers.dto';
import { WorkersRepository } from './workers.repository';

/** A worker not heard of for this long is forgotten. */
const FORGET_AFTER_HOURS = 24;
const PRUNE_EVERY_MS = 60_000;

/** The workers as their heartbeats describe them: stored by whichever gateway reads a beat, listed by any. */
@Injectable()
export class WorkersService {
  private readonly logger = new Logger(WorkersService.name);
  private prunedAt = 0;

  constructor(private readonly workers: WorkersRepository) {}

  /**
   * One heartbeat. A malformed one is dead-lettered; one that cannot be stored (the database
   * down) is dropped: the worker's next beat says the same, a few seconds newer.
   */
  async receive(delivery: Delivery): Promise<void> {
    const beat = parseOrDeadLetter(delivery, workerHeartbeatSchema, 'worker heartbeat', this.logger);
    if (!beat) return;
    try {
      await this.workers.save(beat);
      if (Date.now() - this.prunedAt > PRUNE_EVERY_MS) {
        this.prunedAt = Date.now();
        await this.workers.prune(FORGET_AFTER_HOURS);
      }
    } catch (err) {
      this.logger.debug(`heartbeat of ${beat.workerId} not stored: ${(err as Error).message}`);
    }
    delivery.ack();
  }

  async list(q: WorkersQueryDto): Promise<WorkerListDto> {
    const rows = await this.workers.list(q.status, q.limit + 1, q.offset);
    return toPage(rows, q.limit, q.offset);
  }
}
