import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RatesFormatError, parseEcbRates } from './ecb-rates';

const FIXTURE = readFileSync(
  resolve(__dirname, '../../../../apps/provider-sim/fixtures/ecb-rates.xml'),
  'utf8',
);

describe('parseEcbRates', () => {
  it('reads the date and every rate as text', () => {
    const table = parseEcbRates(FIXTURE);
    expect(table.date).toBe('2026-11-20');
    expect(table.rates.USD).toBe('1.1577');
    expect(table.rates.ISK).toBe('147.10'); // trailing zero kept: no float on the way
    expect(Object.keys(table.rates)).toHaveLength(30);
  });

  it.each([
    ['an HTML error page', '<html><body><h1>502 Bad Gateway</h1></body></html>', /no Envelope/],
    ['truncated XML', FIXTURE.slice(0, FIXTURE.length / 2), /not well-formed/],
    ['an empty answer', '', /empty answer/],
    ['an empty table', FIXTURE.replace(/<Cube currency[^>]*\/>\s*/g, ''), /has no rates/],
    ['an impossible date', FIXTURE.replace('2026-11-20', '2026-02-30'), /valid time/],
    ['a rate that is not a number', FIXTURE.replace('1.1577', 'n/a'), /bad rate "n\/a" for USD/],
    ['a negative rate', FIXTURE.replace('1.1577', '-1.1577'), /bad rate/],
    ['plain text', 'Service temporarily unavailable', /not well-formed|no Envelope/],
  ])('refuses %s', (_what, xml, problem) => {
    expect(() => parseEcbRates(xml)).toThrow(RatesFormatError);
    expect(() => parseEcbRates(xml)).toThrow(problem);
  });
});
