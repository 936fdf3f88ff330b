import { Injectable } from '@nestjs/common';
import type { PlansSyncResult } from '@conveyor/contracts';
import { HandlesTask, IoContext, TaskHandler } from '@conveyor/tasks/worker';
import { PlansFeed } from './plans-feed';

/** plans.sync: the feed is fetched and parsed in the pool; the plans go to the gateway in chunks. */
@HandlesTask('plans.sync')
@Injectable()
export class PlansSyncHandler implements TaskHandler {
  constructor(private readonly feed: PlansFeed) {}

  io(_payload: object, ctx: IoContext): Promise<PlansSyncResult> {
    return this.feed.sync(ctx.taskId, ctx.attempt, ctx.signal);
  }
}
