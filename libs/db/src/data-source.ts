import { DataSource, DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@conveyor/config';
import { Init1763700000000 } from './migrations/1763700000000-init';
import { TaskAttempts1763800000000 } from './migrations/1763800000000-task-attempts';
import { AttemptCancelled1763900000000 } from './migrations/1763900000000-attempt-cancelled';
import { UsersIdBatches1764000000000 } from './migrations/1764000000000-users-id-batches';
import { Currencies1764100000000 } from './migrations/1764100000000-currencies';
import { Plans1764200000000 } from './migrations/1764200000000-plans';
import { IdempotencyFingerprint1764300000000 } from './migrations/1764300000000-idempotency-fingerprint';
import { Players1764400000000 } from './migrations/1764400000000-players';
import { Access1764500000000 } from './migrations/1764500000000-access';
import { Schedules1764600000000 } from './migrations/1764600000000-schedules';
import { Flows1764700000000 } from './migrations/1764700000000-flows';
import { Groups1764800000000 } from './migrations/1764800000000-groups';
import { GroupWindows1764900000000 } from './migrations/1764900000000-group-windows';
import { Workers1765000000000 } from './migrations/1765000000000-workers';
import { DeadLetters1765100000000 } from './migrations/1765100000000-dead-letters';
import { TaskSearch1765200000000 } from './migrations/1765200000000-task-search';
import { TaskSearchFinished1765300000000 } from './migrations/1765300000000-task-search-finished';
import { TaskRowsCascade1765400000000 } from './migrations/1765400000000-task-rows-cascade';

export const MIGRATIONS = [
  Init1763700000000,
  TaskAttempts1763800000000,
  AttemptCancelled1763900000000,
  UsersIdBatches1764000000000,
  Currencies1764100000000,
  Plans1764200000000,
  IdempotencyFingerprint1764300000000,
  Players1764400000000,
  Access1764500000000,
  Schedules1764600000000,
  Flows1764700000000,
  Groups1764800000000,
  GroupWindows1764900000000,
  Workers1765000000000,
  DeadLetters1765100000000,
  TaskSearch1765200000000,
  TaskSearchFinished1765300000000,
  TaskRowsCascade1765400000000,
];

/** The one set of data-source options, used by the app and by the migration runner alike. */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.db.url,
    // Repositories write their own SQL; the schema is the migrations' alone.
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    extra: {
      max: config.db.poolSize,
      connectionTimeoutMillis: 3000,
      // A query stuck behind a dead server fails instead of holding a request forever.
      query_timeout: 30_000,
    },
  };
}

export function createDataSource(config: AppConfig): DataSource {
  return new DataSource(dataSourceOptions(config));
}
