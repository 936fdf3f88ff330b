import { Module } from '@nestjs/common';
import { OutboxRelay } from './outbox.relay';
import { TaskReportsService } from './task-reports.service';
import { TasksRepository } from './tasks.repository';
import { TasksService } from './tasks.service';

@Module({
  providers: [TasksRepository, TasksService, TaskReportsService, OutboxRelay],
  exports: [TasksService, TaskReportsService, OutboxRelay],
})
export class TasksModule {}
