import { Module } from '@nestjs/common';
import { TasksModule } from '@conveyor/tasks/gateway';
import { PlansRepository } from './plans.repository';
import { PlansService } from './plans.service';
import { SearchCache } from './search.cache';
import { SearchService } from './search.service';

/** The gateway side of plans: syncs (scheduled and by hand), their chunks, and search. */
@Module({
  imports: [TasksModule],
  providers: [PlansRepository, PlansService, SearchCache, SearchService],
  exports: [PlansService, SearchService],
})
export class PlansModule {}
