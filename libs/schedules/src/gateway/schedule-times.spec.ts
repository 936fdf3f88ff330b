import { Timing, dueTicks, nextFire, nextFires, timingProblems } from './schedule-times';

const cron = (expr: string, timezone = 'UTC', extra: Partial<Timing> = {}): Timing => ({
  cron: expr,
  everySeconds: null,
  timezone,
  startAt: null,
  endAt: null,
  anchor: new Date('2026-01-01T00:00:00Z'),
  ...extra,
});

describe('schedule times', () => {
  it('fires a daily 02:30 in Europe/Madrid once on both DST days', () => {
    const t = cron('0 30 2 * * *', 'Europe/Madrid');
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist: it fires once, at 03:30.
    const spring = nextFires(t, new Date('2026-03-27T12:00:00Z'), 3).map((d) => d.toISOString());
    expect(spring).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    // 2026-10-25: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice: it fires once.
    const fall = nextFires(t, new Date('2026-10-23T12:00:00Z'), 3).map((d) => d.toISOString());
    expect(fall).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T01:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('counts everySeconds from startAt (or creation) and stops at endAt', () => {
    const t: Timing = {
      cron: null,
      everySeconds: 10,
      timezone: 'UTC',
      startAt: new Date('2026-01-01T00:00:05Z'),
      endAt: new Date('2026-01-01T00:00:30Z'),
      anchor: new Date('2026-01-01T00:00:00Z'),
    };
    expect(nextFire(t, new Date('2025-12-31T00:00:00Z'))?.toISOString()).toBe('2026-01-01T00:00:05.000Z');
    expect(nextFires(t, new Date('2026-01-01T00:00:05Z'), 5).map((d) => d.toISOString())).toEqual([
      '2026-01-01T00:00:15.000Z',
      '2026-01-01T00:00:25.000Z',
    ]);
    expect(nextFire(t, new Date('2026-01-01T00:00:25Z'))).toBeNull();
  });

  it('bounds the ticks due after downtime to the latest ones', () => {
    const every: Timing = { ...cron('x'), cron: null, everySeconds: 1 };
    const first = new Date('2026-01-01T00:00:00Z');
    const { ticks, dropped } = dueTicks(every, first, new Date('2026-01-08T00:00:00Z'), 3);
    expect(ticks.map((d) => d.toISOString())).toEqual([
      '2026-01-07T23:59:58.000Z',
      '2026-01-07T23:59:59.000Z',
      '2026-01-08T00:00:00.000Z',
    ]);
    expect(dropped).toBe(7 * 86400 + 1 - 3);
    const minutely = dueTicks(cron('0 * * * * *'), first, new Date('2026-01-01T00:05:30Z'), 100);
    expect(minutely.ticks).toHaveLength(6);
  });

  it('names what is wrong', () => {
    const base = { cron: null, everySeconds: null, timezone: 'UTC', startAt: null, endAt: null };
    expect(timingProblems(base)).toEqual(['give cron or everySeconds, exactly one of them']);
    expect(timingProblems({ ...base, cron: '* * *' })[0]).toMatch(/^cron: /);
    expect(timingProblems({ ...base, everySeconds: 5, timezone: 'Mars/Olympus' })[0]).toMatch(/^timezone: /);
    expect(timingProblems({ ...base, cron: '* * * * *', everySeconds: 5 })).toHaveLength(1);
    expect(
      timingProblems({ ...base, everySeconds: 5, startAt: new Date(2000), endAt: new Date(1000) }),
    ).toEqual(['endAt: must be after startAt']);
    expect(timingProblems({ ...base, cron: '*/5 * * * * *', timezone: 'Europe/Madrid' })).toEqual([]);
  });
});
