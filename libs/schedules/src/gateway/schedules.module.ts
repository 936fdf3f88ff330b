import { Module } from '@nestjs/common';
import { BuiltinSchedules } from './builtin-schedules';
import { TasksModule } from '@conveyor/tasks/gateway';
import { ScheduleRunsRepository } from './schedule-runs.repository';
import { Scheduler } from './scheduler';
import { SchedulesRepository } from './schedules.repository';
import { SchedulesService } from './schedules.service';

/** Schedules of any task type (cron or every N seconds) and the scheduler every gateway runs. */
@Module({
  imports: [TasksModule],
  providers: [SchedulesRepository, ScheduleRunsRepository, SchedulesService, Scheduler, BuiltinSchedules],
  exports: [SchedulesService, Scheduler],
})
export class SchedulesModule {}
