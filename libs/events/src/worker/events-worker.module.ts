import { Module } from '@nestjs/common';
import { EventEnricher } from './event-enricher.service';
import { EventRatesService } from './event-rates.service';
import { EventsWorkerMetrics } from './events-worker.metrics';

/** The worker side of the casino event stream: the enricher and the events rate table. */
@Module({
  providers: [EventsWorkerMetrics, EventRatesService, EventEnricher],
  exports: [EventEnricher],
})
export class EventsWorkerModule {}
