import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** What this worker did with the casino events it took. */
@Injectable()
export class EventsWorkerMetrics {
  readonly received: Counter;
  readonly deadLettered: Counter<'reason'>;
  readonly ratesFetches: Counter<'outcome'>;
  readonly ratesLookups: Counter<'served'>;

  constructor(registry: Registry) {
    this.received = new Counter({
      name: 'conveyor_events_received_total',
      help: 'Casino events taken from conveyor.events.enrich by this worker (a batch counts its events)',
      registers: [registry],
    });
    this.deadLettered = new Counter({
      name: 'conveyor_events_dead_lettered_total',
      help: 'Event messages this worker dead-lettered, by reason (the x-conveyor-rejection code)',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.ratesFetches = new Counter({
      name: 'conveyor_events_rates_provider_fetches_total',
      help: 'Events rate provider calls by this worker, by outcome (ok, error, rejected)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.ratesLookups = new Counter({
      name: 'conveyor_events_rates_lookups_total',
      help: 'Events rate table lookups, by how they were served (memory, cache, refreshed, waited, timeout, without-store: from the provider while Redis is down)',
      labelNames: ['served'],
      registers: [registry],
    });
  }
}
