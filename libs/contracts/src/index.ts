export * from './task-status';
export * from './task-error';
export * from './task-types';
export * from './demo-work.dto';
export * from './messages';
export * from './user-process.dto';
export * from './currencies';
export * from './currency-convert.dto';
