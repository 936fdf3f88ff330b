import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@conveyor/config';
import { HealthModule, MetricsModule, RedisModule, loggingModule } from '@conveyor/common';
import { DbModule } from '@conveyor/db';
import { MessagingModule } from '@conveyor/messaging';
import { TasksModule } from '@conveyor/tasks/gateway';
import { UsersModule } from '@conveyor/users/gateway';
import { CurrencyModule } from '@conveyor/currency/gateway';
import { EventsGatewayModule } from '@conveyor/events/gateway';
import { AccessModule } from '@conveyor/access/gateway';
import { AccessController } from './access.controller';
import { SessionController } from './session.controller';
import { SchedulesModule } from '@conveyor/schedules/gateway';
import { SchedulesController } from './schedules.controller';
import { FlowsModule } from '@conveyor/flows/gateway';
import { FlowsController } from './flows.controller';
import { GroupsModule } from '@conveyor/groups/gateway';
import { GroupsController } from './groups.controller';
import { WorkersModule } from '@conveyor/workers/gateway';
import { WorkersController } from './workers.controller';
import { DeadLettersModule } from '@conveyor/dead-letters/gateway';
import { DeadLettersController } from './dead-letters.controller';
import { OverviewModule } from '@conveyor/overview/gateway';
import { OverviewController } from './overview.controller';
import { CurrenciesController } from './currencies.controller';
import { PlansModule } from '@conveyor/plans/gateway';
import { PlansController } from './plans.controller';
import { SearchRoute } from './search.route';
import { HealthController } from './health.controller';
import { IdBatchesController } from './id-batches.controller';
import { EventsConsumer } from './events.consumer';
import { EventsController } from './events.controller';
import { ReportsConsumer } from './reports.consumer';
import { TasksController } from './tasks.controller';
import { UsersController } from './users.controller';

@Module({})
export class GatewayModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        loggingModule(config, 'gateway'),
        DbModule,
        RedisModule,
        MessagingModule.forRoot('declare'),
        HealthModule,
        MetricsModule,
        TasksModule,
        UsersModule,
        CurrencyModule,
        PlansModule,
        EventsGatewayModule,
        AccessModule,
        SchedulesModule,
        FlowsModule,
        GroupsModule,
        WorkersModule,
        DeadLettersModule,
        OverviewModule,
      ],
      controllers: [
        TasksController,
        UsersController,
        IdBatchesController,
        CurrenciesController,
        PlansController,
        HealthController,
        EventsController,
        AccessController,
        SessionController,
        SchedulesController,
        FlowsController,
        GroupsController,
        WorkersController,
        DeadLettersController,
        OverviewController,
        ReportsConsumer,
        EventsConsumer,
      ],
      providers: [SearchRoute],
    };
  }
}
