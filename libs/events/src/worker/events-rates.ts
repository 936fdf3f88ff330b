import Decimal from 'decimal.js';
import type { RateTable } from '@conveyor/contracts';
import { EventsError, minorUnits } from '../event';

/** A provider answer that is not a rate table of the contract's JSON format; the last good table stays. */
export class RatesFormatError extends Error {
  constructor(problem: string) {
    super(`events rate provider answer rejected: ${problem}`);
    this.name = 'RatesFormatError';
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CODE = /^[A-Z]{3,5}$/;

/** `{"success": true, "base": "EUR", "date": …, "rates": {"USD": 1.1577, …}}` → a table of decimal text. */
export function parseEventRates(text: string): RateTable {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RatesFormatError('not JSON');
  }
  const b = body as { success?: unknown; base?: unknown; date?: unknown; rates?: unknown };
  if (typeof body !== 'object' || body === null) throw new RatesFormatError('not a JSON object');
  if (b.success !== true) throw new RatesFormatError('success is not true');
  if (b.base !== 'EUR') throw new RatesFormatError(`base is ${JSON.stringify(b.base)}, not EUR`);
  if (typeof b.date !== 'string' || !DATE.test(b.date)) throw new RatesFormatError('no valid date');
  if (typeof b.rates !== 'object' || b.rates === null) throw new RatesFormatError('no rates');
  const rates: Record<string, string> = {};
  for (const [code, rate] of Object.entries(b.rates as Record<string, unknown>)) {
    if (!CODE.test(code)) throw new RatesFormatError(`currency code ${JSON.stringify(code)}`);
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
      throw new RatesFormatError(`rate of ${code} is not a positive number`);
    }
    rates[code] = new Decimal(rate).toFixed();
  }
  if (Object.keys(rates).length === 0) throw new RatesFormatError('no rates');
  rates.EUR = '1';
  return { date: b.date, rates };
}

const Cents = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });

/**
 * `amount` (smallest unit of `currency`) in euro cents, rounded half-even: units / rates[currency].
 * EUR is the same value; a currency the table lacks is refused with the reason.
 */
export function amountInEurCents(amount: number, currency: string, table: RateTable): number {
  if (currency === 'EUR') return amount;
  const rate = table.rates[currency];
  if (!rate) {
    throw new EventsError(
      'UNKNOWN_CURRENCY',
      `currency ${currency}: the events rate table of ${table.date} has no rate for it`,
    );
  }
  const units = new Cents(amount).div(new Cents(10).pow(minorUnits(currency)));
  return units.div(rate).mul(100).toDecimalPlaces(0).toNumber();
}
