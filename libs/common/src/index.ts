export * from './app.error';
export * from './bootstrap';
export * from './http-error.filter';
export * from './logging';
export * from './metrics';
export * from './redis.module';
export * from './health';
export * from './batcher';
