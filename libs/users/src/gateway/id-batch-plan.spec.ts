import {
  WINDOW_SLOTS,
  dueAt,
  inSlotOrder,
  indexAt,
  nextWindowStart,
  placementOf,
  slotSize,
} from './id-batch-plan';

/** The assignment built the slow, obvious way, to check the closed form against. */
function naive(total: number, rpm: number): number[][] {
  const slots: number[][] = Array.from({ length: WINDOW_SLOTS }, () => []);
  let i = 0;
  for (let s = 0; s < WINDOW_SLOTS && i < total; s++)
    for (let p = 0; p < rpm && i < total; p++) slots[s].push(i++);
  for (let s = 0; i < total; s = (s + 1) % WINDOW_SLOTS) slots[s].push(i++);
  return slots;
}

function bySlot(total: number, rpm: number): number[][] {
  const slots: number[][] = Array.from({ length: WINDOW_SLOTS }, () => []);
  for (const p of inSlotOrder({ total, rpm })) slots[p.slot].push(p.index);
  return slots;
}

describe('ID batch distribution', () => {
  it('matches the worked example: rpm 2, IDs 1001..1040', () => {
    const slots = bySlot(40, 2).map((s) => s.map((i) => 1001 + i));
    for (let g = 0; g < 15; g++) {
      const expected = [1001 + 2 * g, 1002 + 2 * g];
      if (g <= 9) expected.push(1031 + g);
      expect(slots[g]).toEqual(expected);
    }
  });

  it.each([
    ['fewer IDs than capacity', 7, 2],
    ['exactly full', 30, 2],
    ['overflow by one', 31, 2],
    ['rpm 1', 40, 1],
    ['rpm 1, fewer than 15', 4, 1],
    ['several overflow rounds', 1000, 3],
  ])('agrees with the obvious assignment: %s', (_name, total, rpm) => {
    const plan = { total, rpm };
    const expected = naive(total, rpm);
    expect(bySlot(total, rpm)).toEqual(expected);
    for (let g = 0; g < WINDOW_SLOTS; g++) {
      expect(slotSize(g, plan)).toBe(expected[g].length);
      expected[g].forEach((index, position) => {
        expect(placementOf(index, plan)).toEqual({ index, slot: g, position });
        expect(indexAt(g, position, plan)).toBe(index);
      });
    }
  });

  it('places a huge range in O(1), sampled at both ends', () => {
    const plan = { total: 1_000_000, rpm: 10_000 };
    expect(placementOf(0, plan)).toEqual({ index: 0, slot: 0, position: 0 });
    expect(placementOf(149_999, plan)).toEqual({ index: 149_999, slot: 14, position: 9_999 });
    expect(placementOf(150_000, plan)).toEqual({ index: 150_000, slot: 0, position: 10_000 });
    expect(placementOf(150_014, plan)).toEqual({ index: 150_014, slot: 14, position: 10_000 });
    expect(placementOf(999_999, plan)).toEqual({
      index: 999_999,
      slot: (999_999 - 150_000) % 15,
      position: 10_000 + Math.floor(849_999 / 15),
    });
    const sizes = Array.from({ length: 15 }, (_, g) => slotSize(g, plan));
    expect(sizes.reduce((a, b) => a + b)).toBe(1_000_000);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    // Resuming deep inside the batch starts where it should, without walking what came before.
    const first = inSlotOrder(plan, 999_990).next().value;
    expect(first).toEqual({ slot: 14, position: sizes[14] - 10, index: indexAt(14, sizes[14] - 10, plan) });
  });

  it('spreads a slot evenly over its minute and starts windows on the quarter hour', () => {
    const plan = { total: 40, rpm: 2 };
    const start = new Date('2026-01-01T10:15:00Z');
    const times = [0, 1, 2].map((position) => dueAt({ index: 0, slot: 3, position }, plan, start, 60_000));
    expect(times.map((t) => t.toISOString())).toEqual([
      '2026-01-01T10:18:00.000Z',
      '2026-01-01T10:18:20.000Z',
      '2026-01-01T10:18:40.000Z',
    ]);
    expect(nextWindowStart(new Date('2026-01-01T10:15:00.001Z'), 60_000).toISOString()).toBe(
      '2026-01-01T10:30:00.000Z',
    );
    expect(nextWindowStart(new Date('2026-01-01T10:44:59Z'), 60_000).toISOString()).toBe(
      '2026-01-01T10:45:00.000Z',
    );
  });
});

describe('ID batch distribution at its edges', () => {
  it('puts a single ID first in slot 0, at the window start', () => {
    const plan = { total: 1, rpm: 5 };
    expect([...inSlotOrder(plan)]).toEqual([{ index: 0, slot: 0, position: 0 }]);
    expect(Array.from({ length: WINDOW_SLOTS }, (_, g) => slotSize(g, plan))).toEqual([
      1,
      ...Array(14).fill(0),
    ]);
    const start = new Date('2026-01-01T10:00:00Z');
    expect(dueAt({ index: 0, slot: 0, position: 0 }, plan, start, 60_000)).toEqual(start);
  });

  it('fills only the first slots when rpm exceeds the batch', () => {
    const plan = { total: 5, rpm: 1000 };
    expect(bySlot(5, 1000)).toEqual([[0, 1, 2, 3, 4], ...Array.from({ length: 14 }, () => [])]);
    expect(slotSize(1, plan)).toBe(0);
  });

  it('keeps every due time inside its own slot, the last ID included', () => {
    const plan = { total: 1000, rpm: 3 };
    const start = new Date('2026-01-01T10:00:00Z');
    for (const p of inSlotOrder(plan)) {
      const due = dueAt(p, plan, start, 60_000).getTime() - start.getTime();
      expect(due).toBeGreaterThanOrEqual(p.slot * 60_000);
      expect(due).toBeLessThan((p.slot + 1) * 60_000);
    }
  });

  it('resumes nowhere once everything was created, and mid-slot exactly where it stopped', () => {
    const plan = { total: 31, rpm: 2 };
    expect([...inSlotOrder(plan, 31)]).toEqual([]);
    expect([...inSlotOrder(plan, 100)]).toEqual([]);
    // slot 0 holds indices 0, 1 and the first overflow 30; skipping 2 resumes at position 2 of slot 0
    expect(inSlotOrder(plan, 2).next().value).toEqual({ index: 30, slot: 0, position: 2 });
    expect([...inSlotOrder(plan, 2)]).toHaveLength(29);
  });

  it('starts a window at the same instant when asked exactly on a quarter hour', () => {
    expect(nextWindowStart(new Date('2026-01-01T10:15:00.000Z'), 60_000).toISOString()).toBe(
      '2026-01-01T10:15:00.000Z',
    );
    // with test-length slots (2 s) the windows are 30 s apart
    expect(nextWindowStart(new Date('2026-01-01T10:15:00.001Z'), 2_000).toISOString()).toBe(
      '2026-01-01T10:15:30.000Z',
    );
  });
});
