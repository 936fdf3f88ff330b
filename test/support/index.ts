export * from './apps';
export * from './db';
export * from './http';
export * from './rabbit';
export * from './stack';
export * from './harness';
export * from './sse';
export * from './simulator';
