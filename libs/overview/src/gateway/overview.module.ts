import { Module } from '@nestjs/common';
import { OverviewRepository } from './overview.repository';
import { OverviewService } from './overview.service';
import { RabbitManagement } from './rabbit-management';

/** The gateway side of the console's overview page. */
@Module({ providers: [OverviewRepository, OverviewService, RabbitManagement], exports: [OverviewService] })
export class OverviewModule {}
