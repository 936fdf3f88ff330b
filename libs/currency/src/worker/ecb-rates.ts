import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { RateTable } from '@conveyor/contracts';

/** A provider answer that is not an ECB rate table; the last good table stays in use. */
export class RatesFormatError extends Error {
  constructor(problem: string) {
    super(`rate provider answer rejected: ${problem}`);
    this.name = 'RatesFormatError';
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseAttributeValue: false, // rates stay text: they are decimals, never binary floats
  isArray: (name) => name === 'Cube',
});

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CODE = /^[A-Z]{3}$/;
const RATE = /^\d{1,12}(\.\d{1,12})?$/;

type Node = Record<string, unknown>;

/** `2026-11-20` yes, `2021-09-31` no (Date.parse would roll it over to October). */
function isCalendarDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/**
 * Parses the ECB daily reference rates (`Envelope > Cube > Cube[time] > Cube[currency, rate]`).
 * Anything else — HTML, truncated XML, an empty table, a bad date or rate — is a RatesFormatError.
 */
export function parseEcbRates(xml: string): RateTable {
  if (xml.trim() === '') throw new RatesFormatError('empty answer');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new RatesFormatError(`not well-formed XML (${valid.err.msg})`);
  const doc = parser.parse(xml) as Node;
  const envelope = doc.Envelope as Node | undefined;
  if (!envelope) throw new RatesFormatError('no Envelope element');
  const outer = (envelope.Cube as Node[] | undefined)?.[0];
  const day = (outer?.Cube as Node[] | undefined)?.[0];
  const date = day?.time;
  if (typeof date !== 'string' || !isCalendarDate(date)) {
    throw new RatesFormatError('no Cube with a valid time attribute');
  }
  const rates: Record<string, string> = {};
  for (const cube of (day?.Cube as Node[] | undefined) ?? []) {
    const { currency, rate } = cube;
    if (typeof currency !== 'string' || !CODE.test(currency)) {
      throw new RatesFormatError(`bad currency attribute ${JSON.stringify(currency)}`);
    }
    if (typeof rate !== 'string' || !RATE.test(rate) || Number(rate) <= 0) {
      throw new RatesFormatError(`bad rate ${JSON.stringify(rate)} for ${currency}`);
    }
    rates[currency] = rate;
  }
  if (Object.keys(rates).length === 0) throw new RatesFormatError(`the table of ${date} has no rates`);
  return { date, rates };
}
