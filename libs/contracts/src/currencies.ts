/**
 * The currencies Conveyor converts between: the ECB reference set plus the euro, with their
 * ISO 4217 minor units (how many decimals an amount in them is rounded to).
 */
export interface CurrencyInfo {
  code: string;
  name: string;
  minorUnits: number;
}

export const CURRENCIES: readonly CurrencyInfo[] = [
  { code: 'EUR', name: 'Euro', minorUnits: 2 },
  { code: 'USD', name: 'US dollar', minorUnits: 2 },
  { code: 'JPY', name: 'Japanese yen', minorUnits: 0 },
  { code: 'BGN', name: 'Bulgarian lev', minorUnits: 2 },
  { code: 'CZK', name: 'Czech koruna', minorUnits: 2 },
  { code: 'DKK', name: 'Danish krone', minorUnits: 2 },
  { code: 'GBP', name: 'Pound sterling', minorUnits: 2 },
  { code: 'HUF', name: 'Hungarian forint', minorUnits: 2 },
  { code: 'PLN', name: 'Polish zloty', minorUnits: 2 },
  { code: 'RON', name: 'Romanian leu', minorUnits: 2 },
  { code: 'SEK', name: 'Swedish krona', minorUnits: 2 },
  { code: 'CHF', name: 'Swiss franc', minorUnits: 2 },
  { code: 'ISK', name: 'Icelandic krona', minorUnits: 0 },
  { code: 'NOK', name: 'Norwegian krone', minorUnits: 2 },
  { code: 'TRY', name: 'Turkish lira', minorUnits: 2 },
  { code: 'AUD', name: 'Australian dollar', minorUnits: 2 },
  { code: 'BRL', name: 'Brazilian real', minorUnits: 2 },
  { code: 'CAD', name: 'Canadian dollar', minorUnits: 2 },
  { code: 'CNY', name: 'Chinese yuan renminbi', minorUnits: 2 },
  { code: 'HKD', name: 'Hong Kong dollar', minorUnits: 2 },
  { code: 'IDR', name: 'Indonesian rupiah', minorUnits: 2 },
  { code: 'ILS', name: 'Israeli shekel', minorUnits: 2 },
  { code: 'INR', name: 'Indian rupee', minorUnits: 2 },
  { code: 'KRW', name: 'South Korean won', minorUnits: 0 },
  { code: 'MXN', name: 'Mexican peso', minorUnits: 2 },
  { code: 'MYR', name: 'Malaysian ringgit', minorUnits: 2 },
  { code: 'NZD', name: 'New Zealand dollar', minorUnits: 2 },
  { code: 'PHP', name: 'Philippine peso', minorUnits: 2 },
  { code: 'SGD', name: 'Singapore dollar', minorUnits: 2 },
  { code: 'THB', name: 'Thai baht', minorUnits: 2 },
  { code: 'ZAR', name: 'South African rand', minorUnits: 2 },
];

export const CURRENCY_CODES: readonly string[] = CURRENCIES.map((c) => c.code);

export function findCurrency(code: string): CurrencyInfo | undefined {
  return CURRENCIES.find((c) => c.code === code);
}

/** A positive amount with at most 2 decimals, as text (money never travels as a binary float). */
export const AMOUNT_PATTERN = /^\d{1,13}(\.\d{1,2})?$/;
/** The largest amount a conversion accepts. */
export const AMOUNT_MAX = '1000000000000';

/** One refresh of the rate table: units of each currency per 1 EUR, on the provider's date. */
export interface RateTable {
  date: string;
  rates: Record<string, string>;
}
