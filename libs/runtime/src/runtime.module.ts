import { Module } from '@nestjs/common';
import { RatesService } from '@conveyor/currency';
import { CpuPool } from './cpu-pool';
import { PlansFeed } from './plans-feed';
import { StatusPublisher } from './status-publisher';
import { TaskRunner } from './task-runner.service';

@Module({ providers: [CpuPool, StatusPublisher, RatesService, PlansFeed, TaskRunner], exports: [TaskRunner] })
export class RuntimeModule {}
