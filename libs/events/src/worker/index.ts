export * from './event-enricher.service';
export * from './event-rates.service';
export * from './events-rates';
export * from './events-worker.module';
