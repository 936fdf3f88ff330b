import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

/** What this gateway did with the enriched casino events it took. */
@Injectable()
export class EventsGatewayMetrics {
  readonly enriched: Counter<'outcome'>;
  readonly latency: Histogram;
  readonly playerLookups: Counter<'found'>;
  readonly published: Counter<'via'>;

  constructor(registry: Registry) {
    this.enriched = new Counter({
      name: 'conveyor_events_enriched_total',
      help: 'Enriched casino events this gateway finished: counted, or duplicate (an id already counted)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'conveyor_events_enrichment_seconds',
      help: 'From a worker taking an event to a gateway counting it',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.playerLookups = new Counter({
      name: 'conveyor_events_player_lookups_total',
      help: 'Players looked up for enriched events (one query per batch), by whether they exist',
      labelNames: ['found'],
      registers: [registry],
    });
    this.published = new Counter({
      name: 'conveyor_events_published_total',
      help: 'Casino events this gateway published (POST /events)',
      labelNames: ['via'],
      registers: [registry],
    });
  }
}
