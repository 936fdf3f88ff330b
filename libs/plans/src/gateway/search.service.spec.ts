import { localTime } from './search.service';

describe('localTime (the search parameters)', () => {
  it('is null when absent and false when not a string', () => {
    expect(localTime(undefined)).toBeNull();
    expect(localTime(['2021-02-01'])).toBe(false);
    expect(localTime(20210201)).toBe(false);
  });

  it('reads a date as its midnight and a zone-less time as it is', () => {
    expect(localTime('2021-02-01')).toBe('2021-02-01T00:00:00');
    expect(localTime('2021-02-01T20:00')).toBe('2021-02-01T20:00:00');
    expect(localTime('2021-02-01 20:00:05')).toBe('2021-02-01T20:00:05');
    expect(localTime('  2021-02-01T20:00:05.123456789  ')).toBe('2021-02-01T20:00:05');
  });

  it('takes a time with a zone in UTC, across a day and a year', () => {
    expect(localTime('2021-02-01T00:00:00Z')).toBe('2021-02-01T00:00:00');
    expect(localTime('2021-02-01T01:30:00+02:00')).toBe('2021-01-31T23:30:00');
    expect(localTime('2021-01-01T01:00:00+0200')).toBe('2020-12-31T23:00:00');
    expect(localTime('2021-12-31T23:00:00-05:30')).toBe('2022-01-01T04:30:00');
  });

  it('refuses dates and times that do not exist', () => {
    for (const bad of [
      '2021-09-31',
      '2021-02-29',
      '2021-13-01',
      '2021-02-01T24:00:00',
      '2021-02-01T23:60',
      '2021-02-01T23:59:60',
      '2021-2-1',
      '01/02/2021',
      '2021-02-01T20:00:00+2',
      '',
    ]) {
      expect([bad, localTime(bad)]).toEqual([bad, false]);
    }
    expect(localTime('2024-02-29')).toBe('2024-02-29T00:00:00');
  });
});
