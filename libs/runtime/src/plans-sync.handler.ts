import type { PlansSyncResult } from '@conveyor/contracts';
import type { IoContext, TaskHandler } from './handler';

export interface PlansSource {
  sync(taskId: string, attempt: number, signal: AbortSignal): Promise<PlansSyncResult>;
}

/** plans.sync: the feed is fetched and parsed in the pool; the plans go to the gateway in chunks. */
export function plansSyncHandler(plans: PlansSource): TaskHandler {
  return {
    type: 'plans.sync',
    io: (_payload: object, ctx: IoContext) => plans.sync(ctx.taskId, ctx.attempt, ctx.signal),
  };
}
