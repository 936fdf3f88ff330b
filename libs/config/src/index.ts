export * from './config';
export * from './env';
export * from './config.module';
