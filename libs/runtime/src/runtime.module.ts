import { Module } from '@nestjs/common';
import { CpuPool } from './cpu-pool';
import { TaskRunner } from './task-runner.service';

@Module({ providers: [CpuPool, TaskRunner], exports: [TaskRunner] })
export class RuntimeModule {}
