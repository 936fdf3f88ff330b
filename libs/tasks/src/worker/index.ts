export * from './cpu-pool';
export * from './handler';
export * from './lane-shape';
export * from './task-runner.service';
export * from './task-runtime.module';
