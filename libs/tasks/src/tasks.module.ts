import { Module } from '@nestjs/common';
import { OutboxRelay } from './outbox.relay';
import { TaskEventsService } from './task-events.service';
import { TaskMetrics } from './task-metrics';
import { TaskReportsService } from './task-reports.service';
import { TasksRepository } from './tasks.repository';
import { TasksService } from './tasks.service';

@Module({
  providers: [TasksRepository, TasksService, TaskReportsService, TaskEventsService, TaskMetrics, OutboxRelay],
  exports: [TasksRepository, TasksService, TaskReportsService, TaskEventsService, OutboxRelay],
})
export class TasksModule {}
