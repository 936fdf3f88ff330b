import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { TASK_STATUSES } from '@conveyor/contracts';
import { OutboxRepository } from './outbox.repository';
import { TasksRepository } from './tasks.repository';

/** The gateway's task metrics; the table counts are read from PostgreSQL at each scrape. */
@Injectable()
export class TasksMetrics {
  readonly statusMessages: Counter<'outcome'>;
  readonly published: Counter;
  readonly retentionDeleted: Counter;
  readonly publishFailures: Counter;
  readonly eventStreams: Gauge;
  readonly groupDispatched: Counter<'group'>;
  readonly groupThrottled: Gauge<'group' | 'limit'>;

  constructor(registry: Registry, tasks: TasksRepository, outbox: OutboxRepository) {
    const registers = [registry];
    this.statusMessages = new Counter({
      name: 'conveyor_status_messages_total',
      help: 'Worker status messages received, by outcome (applied, ignored as duplicate/stale, invalid)',
      labelNames: ['outcome'],
      registers,
    });
    this.retentionDeleted = new Counter({
      name: 'conveyor_tasks_retention_deleted_total',
      help: 'Finished tasks removed by the retention pass (TASK_RETENTION_HOURS), with their attempts',
      registers,
    });
    this.published = new Counter({
      name: 'conveyor_outbox_published_total',
      help: 'Outbox messages published and confirmed by the broker',
      registers,
    });
    this.publishFailures = new Counter({
      name: 'conveyor_outbox_publish_failures_total',
      help: 'Outbox publishes that were nacked, returned or timed out (retried on the next pass)',
      registers,
    });
    this.groupDispatched = new Counter({
      name: 'conveyor_group_published_total',
      help: 'Tasks of a group with limits that the relay published',
      labelNames: ['group'],
      registers,
    });
    this.groupThrottled = new Gauge({
      name: 'conveyor_group_throttled',
      help: "1 while a group's limit (concurrency or rate) holds its waiting tasks back at this gateway's relay",
      labelNames: ['group', 'limit'],
      registers,
    });
    this.eventStreams = new Gauge({
      name: 'conveyor_task_event_streams',
      help: 'Open GET /tasks/:id/events streams on this gateway',
      registers,
    });
    new Gauge({
      name: 'conveyor_outbox_backlog',
      help: 'Outbox rows not yet published (due or scheduled)',
      registers,
      collect: async function (this: Gauge) {
        this.set(await outbox.backlog().catch(() => NaN));
      },
    });
    new Gauge({
      name: 'conveyor_tasks',
      help: 'Tasks in the system of record, by type and status',
      labelNames: ['type', 'status'],
      registers,
      collect: async function (this: Gauge<'type' | 'status'>) {
        const rows = await tasks.countByTypeAndStatus().catch(() => undefined);
        this.reset();
        if (!rows) return; // database away: no series rather than stale ones
        // Every status of a known type is a series, so a status that empties shows 0, not a gap.
        for (const type of new Set(rows.map((r) => r.type))) {
          for (const status of TASK_STATUSES) this.set({ type, status }, 0);
        }
        for (const r of rows) this.set({ type: r.type, status: r.status }, r.n);
      },
    });
  }
}
