export * from './builtin-schedules';
export * from './schedule-times';
export * from './scheduler';
export * from './schedules.dto';
export * from './schedules.error';
export * from './schedules.module';
export * from './schedules.service';
