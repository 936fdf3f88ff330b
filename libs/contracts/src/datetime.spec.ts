import { z } from 'zod';
import { isoDateTime } from './datetime';

describe('isoDateTime', () => {
  it("accepts and refuses what zod's own datetime({ offset: true }) does", () => {
    const zods = z.string().datetime({ offset: true });
    const ours = isoDateTime();
    const samples = [
      '2026-12-04T18:30:00.123Z',
      '2026-12-04T18:30:00Z',
      '2026-12-04T18:30Z',
      '2026-12-04T18:30:00.123456789+01:00',
      '2026-12-04T18:30:00-0530',
      '2024-02-29T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-12-04T24:00:00Z',
      '2026-12-04T18:60:00Z',
      '2026-12-04 18:30:00Z',
      '2026-12-04T18:30:00',
      '2026-12-04T18:30:00.Z',
      '2026-12-04',
      ' 2026-12-04T18:30:00Z',
      '',
    ];
    for (const s of samples) {
      expect({ s, ok: ours.safeParse(s).success }).toEqual({ s, ok: zods.safeParse(s).success });
    }
    expect(samples.filter((s) => ours.safeParse(s).success)).toHaveLength(6);
  });
});
