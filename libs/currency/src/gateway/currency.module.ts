import { Module } from '@nestjs/common';
import { TasksModule } from '@conveyor/tasks/gateway';
import { ConversionCache, ConversionCacheModule } from './conversion-cache';
import { ConversionsService } from './conversions.service';
import { CurrenciesRepository } from './currencies.repository';
import { CurrenciesService } from './currencies.service';

/** The gateway side of currencies: the list, conversions and their cache. */
@Module({
  imports: [TasksModule, ConversionCacheModule],
  providers: [CurrenciesRepository, CurrenciesService, ConversionCache, ConversionsService],
  exports: [CurrenciesService, ConversionsService],
})
export class CurrencyModule {}
