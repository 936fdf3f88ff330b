import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The worker's task metrics. */
@Injectable()
export class WorkerMetrics {
  readonly duration: Histogram<'type' | 'kind' | 'outcome'>;
  readonly inFlight: Gauge<'queue'>;
  readonly rejected: Counter<'reason'>;
  readonly cancelled: Counter<'how'>;
  readonly copiesSettled: Counter;
  readonly copiesWaited: Counter;
  readonly leasesUnchecked: Counter;
  readonly rateWaits: Counter;
  readonly rateUnchecked: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.duration = new Histogram({
      name: 'conveyor_task_attempt_duration_seconds',
      help: 'Duration of task attempts in this worker',
      labelNames: ['type', 'kind', 'outcome'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'conveyor_consumer_in_flight',
      help: 'Task messages being processed by this worker, by queue',
      labelNames: ['queue'],
      registers,
    });
    this.rejected = new Counter({
      name: 'conveyor_messages_rejected_total',
      help: 'Task messages sent to the dead-letter queue by this worker, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.copiesSettled = new Counter({
      name: 'conveyor_task_copies_settled_total',
      help: 'Redelivered task messages acked without running: the same attempt had already run, here or on another worker, to confirmed reports',
      registers,
    });
    this.copiesWaited = new Counter({
      name: 'conveyor_task_copies_waited_total',
      help: "Redelivered task messages that waited for another worker's run of the same attempt (its lease in Redis)",
      registers,
    });
    this.leasesUnchecked = new Counter({
      name: 'conveyor_task_attempt_leases_unchecked_total',
      help: 'Attempts run without the shared lease check (Redis unreachable): a copy elsewhere could run too',
      registers,
    });
    this.rateWaits = new Counter({
      name: 'conveyor_group_rate_waits_total',
      help: "Times a rate-limited group's attempt waited here for a start within its group's rate",
      registers,
    });
    this.rateUnchecked = new Counter({
      name: 'conveyor_group_rate_unchecked_total',
      help: "Rate-limited attempts started without the shared check (Redis unreachable); the relay's pacing alone held them",
      registers,
    });
    this.cancelled = new Counter({
      name: 'conveyor_tasks_cancelled_total',
      help: 'Task attempts this worker stopped for a cancel: before start, inside the handler (its thread is reused), or by ending its thread',
      labelNames: ['how'],
      registers,
    });
  }
}
