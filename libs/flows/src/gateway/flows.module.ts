import { Module } from '@nestjs/common';
import { TasksModule } from '@conveyor/tasks/gateway';
import { FlowEventsService } from './flow-events.service';
import { FlowsRepository } from './flows.repository';
import { FlowsService } from './flows.service';

/** Flows: DAGs of tasks, their progress and their event streams. */
@Module({
  imports: [TasksModule],
  providers: [FlowsRepository, FlowsService, FlowEventsService],
  exports: [FlowsService, FlowEventsService],
})
export class FlowsModule {}
