import Decimal from 'decimal.js';
import {
  AMOUNT_MAX,
  AMOUNT_PATTERN,
  CurrencyConvertResult,
  RateTable,
  findCurrency,
} from '@conveyor/contracts';

/** Decimal arithmetic for money: enough precision for any cross rate, banker's rounding, no exponents. */
const Money = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 40,
});

/** The table (or the currency list) has no rate for a currency: a data problem, not a retryable one. */
export class MissingRateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingRateError';
  }
}

/** Significant digits a cross rate is shown with; the result is computed from the exact quotient. */
const RATE_DIGITS = 10;

/** `10.5` → `10.50`: the canonical text of an amount, or null when it is not a valid amount. */
export function normaliseAmount(raw: string): string | null {
  if (!AMOUNT_PATTERN.test(raw)) return null;
  const amount = new Money(raw);
  if (amount.lte(0) || amount.gt(AMOUNT_MAX)) return null;
  return amount.toFixed(2);
}

/**
 * `amount` of `from` in `to`: amount × r[to] / r[from] with r[EUR] = 1, rounded half-even to the
 * target currency's minor units. Throws MissingRateError when the table lacks a currency.
 */
export function convert(table: RateTable, from: string, to: string, amount: string): CurrencyConvertResult {
  const target = findCurrency(to);
  if (!target) throw new MissingRateError(`unknown currency ${to}`);
  const rFrom = rateOf(table, from);
  const rTo = rateOf(table, to);
  const value = new Money(amount);
  const exact = value.times(rTo).dividedBy(rFrom);
  return {
    from,
    to,
    amount: value.toFixed(2),
    rate: rTo.dividedBy(rFrom).toSignificantDigits(RATE_DIGITS).toString(),
    result: exact.toDecimalPlaces(target.minorUnits).toFixed(target.minorUnits),
    rateDate: table.date,
  };
}

function rateOf(table: RateTable, code: string): Decimal {
  if (code === 'EUR') return new Money(1);
  const rate = table.rates[code];
  if (rate === undefined) {
    throw new MissingRateError(`the rate table of ${table.date} has no rate for ${code}`);
  }
  return new Money(rate);
}
