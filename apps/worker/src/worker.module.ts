import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@conveyor/config';
import { HealthModule, MetricsModule, RedisModule, loggingModule } from '@conveyor/common';
import { MessagingModule } from '@conveyor/messaging';
import { CurrencyWorkerModule } from '@conveyor/currency/worker';
import { EventsWorkerModule } from '@conveyor/events/worker';
import { PlansWorkerModule } from '@conveyor/plans/worker';
import { TaskRuntimeModule } from '@conveyor/tasks/worker';
import { UsersWorkerModule } from '@conveyor/users/worker';
import { WorkersWorkerModule } from '@conveyor/workers/worker';
import { ControlConsumer } from './control.consumer';
import { HealthController } from './health.controller';
import { EventsConsumer } from './events.consumer';
import { TasksConsumer } from './tasks.consumer';

/** The worker: no database; talks to RabbitMQ and Redis only. */
@Module({})
export class WorkerModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule(config, 'worker'),
        RedisModule,
        MessagingModule.forRoot('check'),
        HealthModule,
        MetricsModule,
        TaskRuntimeModule,
        UsersWorkerModule,
        CurrencyWorkerModule,
        PlansWorkerModule,
        EventsWorkerModule,
        WorkersWorkerModule,
      ],
      controllers: [HealthController, TasksConsumer, ControlConsumer, EventsConsumer],
    };
  }
}
