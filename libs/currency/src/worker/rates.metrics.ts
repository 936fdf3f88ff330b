import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** How this worker got its rate tables. */
@Injectable()
export class RatesMetrics {
  readonly fetches: Counter<'outcome'>;
  readonly lookups: Counter<'served'>;

  constructor(registry: Registry) {
    this.fetches = new Counter({
      name: 'conveyor_rates_provider_fetches_total',
      help: 'Rate provider calls by this worker, by outcome (ok, error, rejected = not a valid ECB table)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.lookups = new Counter({
      name: 'conveyor_rates_lookups_total',
      help: 'Rate table lookups, by how they were served (cache, refreshed, waited, timeout)',
      labelNames: ['served'],
      registers: [registry],
    });
  }
}
