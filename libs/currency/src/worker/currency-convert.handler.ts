import { Injectable } from '@nestjs/common';
import type { CurrencyConvertPayloadDto, CurrencyConvertResult, RateTable } from '@conveyor/contracts';
import { HandlerError } from '@conveyor/tasks/cpu';
import { HandlesTask, IoContext, TaskHandler } from '@conveyor/tasks/worker';
import { MissingRateError, convert } from '../money';
import { RatesService, RatesUnavailableError } from './rates.service';

/**
 * currency.convert with the shared rate table. No table before the deadline is retryable (the
 * gateway schedules another attempt); a currency missing from the provider's table is not.
 */
@HandlesTask('currency.convert')
@Injectable()
export class CurrencyConvertHandler implements TaskHandler {
  constructor(private readonly rates: RatesService) {}

  async io(payload: CurrencyConvertPayloadDto, ctx: IoContext): Promise<CurrencyConvertResult> {
    let table: RateTable;
    try {
      table = await this.rates.table(ctx.signal);
    } catch (err) {
      if (err instanceof RatesUnavailableError)
        throw new HandlerError(err.message, 'RATES_UNAVAILABLE', true);
      throw err;
    }
    try {
      return convert(table, payload.from, payload.to, payload.amount);
    } catch (err) {
      if (err instanceof MissingRateError) throw new HandlerError(err.message, 'RATE_MISSING', false);
      throw err;
    }
  }
}
