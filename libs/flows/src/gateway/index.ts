export * from './flow-events.service';
export * from './flow-graph';
export * from './flows.dto';
export * from './flows.error';
export * from './flows.module';
export * from './flows.service';
