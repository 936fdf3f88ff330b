export * from './handler';
export * from './handler-registry';
export * from './runtime.module';
export * from './task-runner.service';
