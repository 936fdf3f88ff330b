export * from './description';
export * from './enriched-events.service';
export * from './event-publisher.service';
export * from './event-stats';
export * from './events.dto';
export * from './events-gateway.module';
export * from './protobuf-body';
