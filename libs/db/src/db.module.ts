import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { dataSourceOptions } from './data-source';

/** Name of the data source for reads that may lag a little (the read replica, or the primary). */
export const READ_DATA_SOURCE = 'read';

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
})
export class DbModule {}
