import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AttemptLeases } from './attempt-leases';
import { AttemptRunner } from './attempt-runner';
import { CancelMarks } from './cancel-marks';
import { CpuPool } from './cpu-pool';
import { GroupRateGate } from './group-rate-gate';
import { DemoWorkHandler } from './demo-work.handler';
import { HandlerRegistry } from './handler-registry';
import { StatusPublisher } from './status-publisher';
import { TaskRunner } from './task-runner.service';
import { WorkerMetrics } from './worker.metrics';

/**
 * The worker side of tasks: running task messages, the CPU pool, reports to the gateway, and the
 * built-in demo.work handler. Each domain's worker module adds its `@HandlesTask` providers.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    CpuPool,
    CancelMarks,
    GroupRateGate,
    StatusPublisher,
    WorkerMetrics,
    HandlerRegistry,
    AttemptLeases,
    AttemptRunner,
    TaskRunner,
    DemoWorkHandler,
  ],
  exports: [TaskRunner, CpuPool],
})
export class TaskRuntimeModule {}
