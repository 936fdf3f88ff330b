import { Module } from '@nestjs/common';
import { CpuPool } from './cpu-pool';
import { StatusPublisher } from './status-publisher';
import { TaskRunner } from './task-runner.service';

@Module({ providers: [CpuPool, StatusPublisher, TaskRunner], exports: [TaskRunner] })
export class RuntimeModule {}
