import { Global, Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { dataSourceOptions } from './data-source';
import { Database, ReadDatabase } from './database';

/** Name of the data source for reads that may lag a little (the read replica, or the primary). */
const READ_DATA_SOURCE = 'read';

/** The gateway's PostgreSQL: `Database` (primary) and `ReadDatabase` (replica) for every repository. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config),
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
    TypeOrmModule.forRootAsync({
      name: READ_DATA_SOURCE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config),
        name: READ_DATA_SOURCE,
        url: config.db.readUrl,
        migrations: [],
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [
    { provide: Database, inject: [getDataSourceToken()], useFactory: (s: DataSource) => new Database(s) },
    {
      provide: ReadDatabase,
      inject: [getDataSourceToken(READ_DATA_SOURCE)],
      useFactory: (s: DataSource) => new ReadDatabase(s),
    },
  ],
  exports: [Database, ReadDatabase],
})
export class DbModule {}
