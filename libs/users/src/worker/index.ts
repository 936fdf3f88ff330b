export * from './users-worker.module';
