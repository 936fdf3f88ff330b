import { amountInEurCents, parseEventRates } from './events-rates';

const TABLE = parseEventRates(
  '{"success": true, "base": "EUR", "date": "2026-11-20", "rates": {"EUR": 1, "USD": 1.1577, "GBP": 0.8804, "NZD": 2.0012, "BTC": 0.0000121}}',
);

describe('the events rate table', () => {
  it('reads the contract format into decimal text', () => {
    expect(TABLE).toEqual({
      date: '2026-11-20',
      rates: { EUR: '1', USD: '1.1577', GBP: '0.8804', NZD: '2.0012', BTC: '0.0000121' },
    });
  });

  it.each([
    ['not json', 'not JSON'],
    ['{"success": false, "base": "EUR", "date": "2026-11-20", "rates": {"USD": 1}}', 'success is not true'],
    ['{"success": true, "base": "USD", "date": "2026-11-20", "rates": {"USD": 1}}', 'base is "USD", not EUR'],
    [
      '{"success": true, "base": "EUR", "date": "2026-11-20", "rates": {"USD": 0}}',
      'rate of USD is not a positive number',
    ],
    [
      '{"success": true, "base": "EUR", "date": "2026-11-20", "rates": {"USD": "1.1"}}',
      'rate of USD is not a positive number',
    ],
    [
      '{"success": true, "base": "EUR", "date": "2026-11-20", "rates": {"USD": -2}}',
      'rate of USD is not a positive number',
    ],
    ['{"success": true, "base": "EUR", "rates": {"USD": 1}}', 'no valid date'],
  ])('refuses %s', (text, problem) => {
    expect(() => parseEventRates(text)).toThrow(`events rate provider answer rejected: ${problem}`);
  });

  it.each([
    [300, 'EUR', 300],
    [500, 'USD', 432], // 5 / 1.1577 = 4.3189 EUR
    [2000, 'GBP', 2272], // 20 / 0.8804 = 22.7169
    [1, 'NZD', 0], // 0.01 / 2.0012 = 0.004997 EUR: rounds to 0 cents
    [100000, 'BTC', 8264], // 0.001 BTC / 0.0000121 = 82.6446 EUR
    [12345, 'BTC', 1020], // 0.00012345 / 0.0000121 = 10.20248 EUR
  ])('%i %s is %i euro cents', (amount, currency, cents) => {
    expect(amountInEurCents(amount, currency, TABLE)).toBe(cents);
  });

  it('rounds half to even', () => {
    const table = { date: '2026-11-20', rates: { USD: '2' } };
    expect(amountInEurCents(1, 'USD', table)).toBe(0); // 0.5 cent → 0
    expect(amountInEurCents(3, 'USD', table)).toBe(2); // 1.5 cents → 2
  });

  it('refuses a currency the table lacks, naming it', () => {
    expect(() => amountInEurCents(100, 'XYZ', TABLE)).toThrow(
      'currency XYZ: the events rate table of 2026-11-20 has no rate for it',
    );
  });
});
