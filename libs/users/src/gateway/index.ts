export * from './id-batch-plan';
export * from './id-batches.dto';
export * from './id-batches.service';
export * from './users.dto';
export * from './users.error';
export * from './users.module';
export * from './users.service';
export type { PlayerRow } from './users.repository';
