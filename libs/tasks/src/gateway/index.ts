export * from './outbox.relay';
export { TaskChangesRepository } from './task-changes.repository';
export { TasksRepository } from './tasks.repository';
export * from './task-events.service';
export * from './task-reports.service';
export * from './tasks.dto';
export * from './tasks.error';
export * from './tasks.module';
export * from './tasks.service';
