export * from './heartbeat.service';
export * from './workers-worker.module';
