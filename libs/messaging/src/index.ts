export * from './amqp.health';
export * from './amqp.service';
export * from './dead-letter';
export * from './delivery';
export * from './messaging.error';
export * from './messaging.module';
export * from './parse-delivery';
export * from './topology';
