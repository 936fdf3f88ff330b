// What pool threads load (with the CPU functions themselves): nothing of Nest, the broker or Redis.
export * from './handler-error';
export * from './task-context';
