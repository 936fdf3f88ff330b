import type { RateTable } from '@conveyor/contracts';
import { convert, normaliseAmount } from './money';

/** The reference's sample rates (units per 1 EUR). */
const SAMPLE: RateTable = {
  date: '2026-11-20',
  rates: { USD: '1.1577', JPY: '179.81', GBP: '0.8804', CHF: '0.9321', BRL: '6.1710' },
};

describe('convert', () => {
  // Expected results worked out by hand: amount × r[to] / r[from], rounded half-even to the
  // target's minor units (JPY has none).
  it.each([
    ['USD', 'BRL', '10.50', '55.97', '5.330396476'], // 64.7955 / 1.1577 = 55.96916…
    ['EUR', 'JPY', '0.01', '2', '179.81'], // 1.7981
    ['USD', 'JPY', '999999999999.99', '155316575969593', '155.316576'], // …593.333…
    ['JPY', 'USD', '1.00', '0.01', '0.006438462822'], // 0.0064384…
    ['GBP', 'EUR', '0.01', '0.01', '1.135847342'], // 0.0113584…
    ['EUR', 'USD', '100.00', '115.77', '1.1577'],
    ['BRL', 'CHF', '250.25', '37.80', '0.1510452115'], // 37.79906…
    ['JPY', 'GBP', '12345.00', '60.44', '0.004896279406'], // 60.44456…
    ['USD', 'USD', '10.05', '10.05', '1'],
  ])('%s→%s %s = %s at %s', (from, to, amount, result, rate) => {
    expect(convert(SAMPLE, from, to, amount)).toEqual({
      from,
      to,
      amount,
      rate,
      result,
      rateDate: '2026-11-20',
    });
  });

  it('rounds half to even, never through a binary float', () => {
    const table: RateTable = { date: '2026-11-20', rates: { USD: '1.5', JPY: '150' } };
    expect(convert(table, 'EUR', 'USD', '0.01').result).toBe('0.02'); // 0.015 → 0.02
    expect(convert(table, 'EUR', 'USD', '0.03').result).toBe('0.04'); // 0.045 → 0.04
    expect(convert(table, 'EUR', 'JPY', '0.01').result).toBe('2'); // 1.5 → 2
    expect(convert(table, 'EUR', 'JPY', '0.03').result).toBe('4'); // 4.5 → 4
    // 0.1 + 0.2 in binary is 0.30000000000000004; here 0.10 + 0.20 of EUR→EUR stays exact.
    expect(convert(table, 'EUR', 'EUR', '0.30').result).toBe('0.30');
  });

  it('names a currency the table lacks', () => {
    expect(() => convert(SAMPLE, 'USD', 'ZAR', '1')).toThrow(/no rate for ZAR/);
  });
});

describe('normaliseAmount', () => {
  it.each([
    ['10.5', '10.50'],
    ['0.01', '0.01'],
    ['007', '7.00'],
    ['999999999999.99', '999999999999.99'],
    ['1000000000000', '1000000000000.00'],
  ])('%s → %s', (raw, expected) => expect(normaliseAmount(raw)).toBe(expected));

  it.each(['0', '0.00', '-1', '1.001', '1e3', ' 1', '1,5', '', 'abc', '1000000000000.01', '.5', '5.'])(
    'refuses %j',
    (raw) => expect(normaliseAmount(raw)).toBeNull(),
  );
});
