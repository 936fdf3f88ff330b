export * from './event';
export * from './wire';
