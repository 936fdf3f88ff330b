import { Module } from '@nestjs/common';
import { TaskRuntimeModule } from '@conveyor/tasks/worker';
import { HeartbeatService } from './heartbeat.service';

/** The worker side of the workers list: this worker's heartbeat. */
@Module({ imports: [TaskRuntimeModule], providers: [HeartbeatService] })
export class WorkersWorkerModule {}
