import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { TaskGroupsRepository } from '@conveyor/tasks/gateway';

/** Groups with limits shown per scrape; more would make one scrape a large query. */
const MAX_SERIES = 1000;

/** Running and waiting tasks of each group with limits, read from PostgreSQL at each scrape. */
@Injectable()
export class GroupsMetrics {
  constructor(registry: Registry, groups: TaskGroupsRepository) {
    const counts = async () => {
      const rows = await groups.list(MAX_SERIES, 0);
      return groups.counts(rows.map((r) => r.name));
    };
    for (const [name, field, help] of [
      ['conveyor_group_running', 'running', "A group's tasks published to the workers and not finished"],
      [
        'conveyor_group_waiting',
        'waiting',
        "A group's tasks not yet published (due, scheduled, retrying, waiting)",
      ],
    ] as const) {
      new Gauge({
        name,
        help: `${help}, per group with limits`,
        labelNames: ['group'],
        registers: [registry],
        collect: async function (this: Gauge<'group'>) {
          const all = await counts().catch(() => undefined);
          this.reset();
          for (const [group, c] of all ?? []) this.set({ group }, c[field]);
        },
      });
    }
  }
}
