import { Module } from '@nestjs/common';
import { TaskRetention } from './task-retention';
import { OutboxRelay } from './outbox.relay';
import { OutboxRepository } from './outbox.repository';
import { TaskAttemptsRepository } from './task-attempts.repository';
import { TaskChangesRepository } from './task-changes.repository';
import { TaskEventsService } from './task-events.service';
import { GroupDispatch } from './group-dispatch';
import { TaskGraphRepository } from './task-graph.repository';
import { TaskGroupsRepository } from './task-groups.repository';
import { TaskReportsService } from './task-reports.service';
import { TasksMetrics } from './tasks.metrics';
import { TasksRepository } from './tasks.repository';
import { TasksService } from './tasks.service';
import { TaskSubmissions } from './task-submissions';
import { FastPublish } from './fast-publish';

/** The gateway side of tasks: the API's services, report application, the outbox relay. */
@Module({
  providers: [
    TasksRepository,
    TaskChangesRepository,
    OutboxRepository,
    TaskAttemptsRepository,
    TaskGraphRepository,
    TaskGroupsRepository,
    GroupDispatch,
    TasksMetrics,
    TasksService,
    TaskSubmissions,
    FastPublish,
    TaskReportsService,
    TaskEventsService,
    OutboxRelay,
    TaskRetention,
  ],
  exports: [
    TasksRepository,
    TaskGroupsRepository,
    TaskChangesRepository,
    TaskGraphRepository,
    TasksService,
    TaskReportsService,
    TaskRetention,
    TaskEventsService,
    OutboxRelay,
  ],
})
export class TasksModule {}
