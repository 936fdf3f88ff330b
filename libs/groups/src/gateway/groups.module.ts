import { Module } from '@nestjs/common';
import { TasksModule } from '@conveyor/tasks/gateway';
import { GroupsMetrics } from './groups.metrics';
import { GroupsService } from './groups.service';

/** Groups: per-tenant (or per-provider) limits on how many tasks run and start per second. */
@Module({
  imports: [TasksModule],
  providers: [GroupsService, GroupsMetrics],
  exports: [GroupsService],
})
export class GroupsModule {}
