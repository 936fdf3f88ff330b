import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FeedFormatError, PlansFeedParser, isLocalDateTime } from './plans-feed.parser';

const fixture = (name: string) =>
  readFileSync(resolve(__dirname, `../../../../apps/provider-sim/fixtures/plans-${name}.xml`), 'utf8');

/** Feeds the text in small pieces, as a network stream would. */
function parse(xml: string) {
  const parser = new PlansFeedParser();
  for (let i = 0; i < xml.length; i += 97) parser.write(xml.slice(i, i + 97));
  return parser.end();
}

describe('PlansFeedParser', () => {
  it('keeps online plans with min/max over their zones; a repeated zone is a warning, not a skip', () => {
    const feed = parse(fixture('answer-1'));
    expect(feed.plans).toEqual([
      expect.objectContaining({ basePlanId: '291', planId: '291', minPrice: '15', maxPrice: '30' }),
      expect.objectContaining({ basePlanId: '322', planId: '1642', title: 'Pantomima Full', minPrice: '55' }),
      expect.objectContaining({
        basePlanId: '1591',
        planId: '1642',
        startsAt: '2021-07-31T20:00:00',
        endsAt: '2021-07-31T21:00:00',
        minPrice: '65',
        maxPrice: '75',
      }),
    ]);
    expect(feed.warnings).toEqual({ repeated_zone: 1 });
    expect(feed.skipped).toEqual({});
  });

  it('skips an offline plan (444, which also has an impossible date)', () => {
    const feed = parse(fixture('answer-2'));
    expect(feed.plans.map((p) => p.basePlanId)).toEqual(['291', '1591']);
    expect(feed.skipped).toEqual({ offline: 1 });
  });

  it('skips and counts bad plans by reason', () => {
    const feed = parse(fixture('bad-data'));
    expect(feed.skipped).toEqual({ invalid_date: 1, missing_attribute: 2 });
    expect(feed.plans).toEqual([
      expect.objectContaining({ basePlanId: '504', minPrice: '9.9', maxPrice: '12.5' }),
    ]);
  });

  it('reads the older eventList variant', () => {
    const old = fixture('answer-1')
      .replaceAll('planList', 'eventList')
      .replaceAll('base_plan_id', 'base_event_id')
      .replaceAll('base_plan', 'base_event')
      .replaceAll('<plan ', '<event ')
      .replaceAll('</plan>', '</event>')
      .replaceAll('plan_start_date', 'event_start_date')
      .replaceAll('plan_end_date', 'event_end_date')
      .replaceAll('plan_id', 'event_id');
    expect(parse(old).plans).toHaveLength(3);
  });

  it('accepts an empty feed: no plans, nothing skipped', () => {
    expect(parse(fixture('empty'))).toEqual({ plans: [], skipped: {}, warnings: {} });
  });

  it.each([
    ['truncated XML', fixture('answer-1').slice(0, 700)],
    ['an HTML error page', '<html><body><h1>502 Bad Gateway</h1></body></html>'],
    ['an empty answer', ''],
    ['garbage', '\u0000 not xml'],
  ])('rejects %s as a whole', (_what, xml) => {
    expect(() => parse(xml)).toThrow(FeedFormatError);
  });

  it('knows which calendar dates exist', () => {
    expect(isLocalDateTime('2021-06-30T21:00:00')).toBe(true);
    expect(isLocalDateTime('2021-09-31T20:00:00')).toBe(false);
    expect(isLocalDateTime('2021-02-29T20:00:00')).toBe(false);
    expect(isLocalDateTime('2020-02-29T20:00:00')).toBe(true);
    expect(isLocalDateTime('2021-06-30T24:00:00')).toBe(false);
  });
});
