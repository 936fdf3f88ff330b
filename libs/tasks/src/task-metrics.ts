import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { metricsRegistry } from '@conveyor/common';
import { TASK_STATUSES } from '@conveyor/contracts';
import { TasksRepository } from './tasks.repository';

/** `conveyor_tasks{type,status}`: the task table by type and status, counted at each scrape. */
@Injectable()
export class TaskMetrics {
  constructor(repo: TasksRepository) {
    new Gauge({
      name: 'conveyor_tasks',
      help: 'Tasks in the system of record, by type and status',
      labelNames: ['type', 'status'],
      registers: [metricsRegistry],
      collect: async function (this: Gauge<'type' | 'status'>) {
        const rows = await repo.countByTypeAndStatus().catch(() => undefined);
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
