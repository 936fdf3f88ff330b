import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { Batcher, RedisService } from '@conveyor/common';
import { cancelMarkKey } from '@conveyor/contracts';

interface Question {
  taskId: string;
  answer: (cancelled: boolean) => void;
}

/**
 * Whether the gateway cancelled tasks (its marks in Redis), asked together: the questions of about
 * a millisecond share one MGET instead of a command each. With Redis down the answer is "no": the
 * task runs rather than stalls, and the gateway ignores reports for a cancelled task.
 */
@Injectable()
export class CancelMarks {
  private readonly logger = new Logger(CancelMarks.name);
  private readonly batcher = new Batcher<Question>(500, 0, (batch) => this.lookUp(batch), 4);

  constructor(@Inject(RedisService) private readonly redis: Redis) {}

  isCancelled(taskId: string): Promise<boolean> {
    return new Promise((answer) => this.batcher.push({ taskId, answer }));
  }

  private async lookUp(batch: Question[]): Promise<void> {
    try {
      const marks = await this.redis.mget(batch.map((q) => cancelMarkKey(q.taskId)));
      batch.forEach((q, i) => q.answer(marks[i] !== null));
    } catch (err) {
      this.logger.warn(`cancel check for ${batch.length} task(s) skipped: ${(err as Error).message}`);
      batch.forEach((q) => q.answer(false));
    }
  }
}
