import { SLOTS, SLOT_MS, advance, msUntilRoom, record, startsInWindow } from './group-window';

const empty = { slots: [], epoch: 0 };

describe('a group rate window', () => {
  it('counts starts for a second and drops them after', () => {
    const t0 = 1_000_000;
    let w = record(advance(empty, t0), 5);
    w = record(advance(w, t0 + 500), 3);
    expect(startsInWindow(advance(w, t0 + 999))).toBe(8);
    // Still counted when exactly a second old: the window errs on the side of fewer starts.
    expect(startsInWindow(advance(w, t0 + 1000))).toBe(8);
    expect(startsInWindow(advance(w, t0 + 1000 + SLOT_MS))).toBe(3);
    expect(startsInWindow(advance(w, t0 + 1500 + SLOT_MS))).toBe(0);
    expect(advance(w, t0 + 5000).slots).toHaveLength(SLOTS);
  });

  it('keeps any second at the limit wherever it begins', () => {
    // Starts as fast as a limit of 50 in a window allows, checked every 3 ms for 5 s.
    let w = advance(empty, 0);
    const starts: number[] = [];
    for (let t = 0; t < 5000; t += 3) {
      w = advance(w, t);
      const room = 50 - startsInWindow(w);
      if (room > 0) {
        w = record(w, room);
        for (let i = 0; i < room; i += 1) starts.push(t);
      }
    }
    for (let from = 0; from < 4000; from += 1) {
      expect(starts.filter((s) => s >= from && s < from + 1000).length).toBeLessThanOrEqual(50);
    }
    expect(starts.length).toBeGreaterThan(240);
  });

  it('says when the oldest start leaves', () => {
    const w = record(advance(empty, 10_000), 1);
    expect(msUntilRoom(w, 10_000)).toBe(1000 + SLOT_MS);
    expect(msUntilRoom(advance(empty, 10_000), 10_000)).toBeNull();
  });
});
