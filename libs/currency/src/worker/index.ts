export * from './currency-worker.module';
export * from './ecb-rates';
export * from './rates.service';
export * from './shared-rate-table';
