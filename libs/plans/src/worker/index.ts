export * from './plans-feed.parser';
export * from './plans-worker.module';
