import { Module } from '@nestjs/common';
import { TaskRuntimeModule } from '@conveyor/tasks/worker';
import { PlansFeed } from './plans-feed';
import { PlansSyncHandler } from './plans-sync.handler';

/** The worker side of plans: fetching and parsing the feed, and the plans.sync handler. */
@Module({ imports: [TaskRuntimeModule], providers: [PlansFeed, PlansSyncHandler] })
export class PlansWorkerModule {}
