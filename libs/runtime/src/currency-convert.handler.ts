import type { CurrencyConvertPayloadDto, CurrencyConvertResult, RateTable } from '@conveyor/contracts';
import { MissingRateError, RatesUnavailableError, convert } from '@conveyor/currency';
import { HandlerError, IoContext, TaskHandler } from './handler';

/** Where the handler gets the rate table (the shared Redis cache, in the worker). */
export interface RateSource {
  table(signal?: AbortSignal): Promise<RateTable>;
}

/**
 * Converts with the shared rate table. No table before the deadline is retryable (the gateway
 * schedules another attempt); a currency missing from the provider's table is not.
 */
export function currencyConvertHandler(rates: RateSource): TaskHandler {
  async function run(payload: CurrencyConvertPayloadDto, ctx: IoContext): Promise<CurrencyConvertResult> {
    let table: RateTable;
    try {
      table = await rates.table(ctx.signal);
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
  return { type: 'currency.convert', io: run };
}
