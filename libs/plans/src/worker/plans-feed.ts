import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { PLANS_CHUNK_TYPE, PlansChunk, PlansSyncResult } from '@conveyor/contracts';
import { AmqpService, EXCHANGES, STATUS_ROUTING_KEY } from '@conveyor/messaging';
import { CONTROL_SLOTS, HandlerError } from '@conveyor/tasks/cpu';
import { CpuPool } from '@conveyor/tasks/worker';
import type { ParsedFeed } from './plans-feed.parser';

/** The pool function that fetches and parses the feed (plans-parse.cpu.ts). */
const PLANS_PARSE = { module: join(__dirname, 'plans-parse.cpu'), name: 'plansParse' };

/**
 * The worker side of a plans sync: parse the feed in the pool, then hand the online plans to the
 * gateway in chunks of PLANS_CHUNK_SIZE, each a confirmed message of bounded size.
 */
@Injectable()
export class PlansFeed {
  constructor(
    private readonly pool: CpuPool,
    private readonly amqp: AmqpService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async sync(taskId: string, attempt: number, signal: AbortSignal): Promise<PlansSyncResult> {
    const { providerUrl, providerTimeoutMs, chunkSize } = this.config.plans;
    const outcome = await this.pool.run(
      {
        fn: PLANS_PARSE,
        payload: { url: providerUrl, timeoutMs: providerTimeoutMs },
        attempt,
        parents: {},
        faultDrills: false,
        control: new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT),
      },
      signal,
    );
    if (!outcome.ok)
      throw new HandlerError(outcome.error.message, outcome.error.code, outcome.error.retryable);
    const feed = outcome.result as ParsedFeed;
    let chunks = 0;
    for (let i = 0; i < feed.plans.length; i += chunkSize) {
      signal.throwIfAborted();
      const chunk: PlansChunk = {
        taskId,
        attempt,
        index: chunks++,
        plans: feed.plans.slice(i, i + chunkSize),
      };
      await this.amqp.publish(EXCHANGES.status, STATUS_ROUTING_KEY, chunk, {
        type: PLANS_CHUNK_TYPE,
        correlationId: taskId,
      });
    }
    return { chunks, seen: feed.plans.length, skipped: feed.skipped, warnings: feed.warnings };
  }
}
