export * from './amqp.service';
export * from './delivery';
export * from './messaging.error';
export * from './messaging.module';
export * from './topology';
