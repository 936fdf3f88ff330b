import { Module } from '@nestjs/common';
import { CurrencyConvertHandler } from './currency-convert.handler';
import { RatesMetrics } from './rates.metrics';
import { RatesService } from './rates.service';

/** The worker side of currencies: the shared rate table and the currency.convert handler. */
@Module({ providers: [RatesMetrics, RatesService, CurrencyConvertHandler] })
export class CurrencyWorkerModule {}
