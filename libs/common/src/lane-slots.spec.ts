import { Lane, LaneSlots } from './lane-slots';

/** Work that runs until released, recording the order it started in. */
function harness(slots: LaneSlots) {
  const started: string[] = [];
  const releases: (() => void)[] = [];
  const add = (lane: Lane, name: string) =>
    slots.run(lane, async () => {
      started.push(name);
      await new Promise<void>((r) => releases.push(r));
    });
  const releaseFirst = async (n: number) => {
    for (const r of releases.splice(0, n)) r();
    await new Promise((r) => setImmediate(r));
  };
  return { started, add, releaseFirst };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('LaneSlots', () => {
  it('lets a lane alone use every slot: high all of them, normal all but the reservation', async () => {
    const slots = new LaneSlots({ size: 4, reservedForHigh: 1, highWeight: 4, normalWeight: 1 });
    const { add } = harness(slots);
    for (let i = 0; i < 6; i++) void add('high', `h${i}`);
    await tick();
    expect(slots.inUse).toEqual({ high: 4, normal: 0 });

    const other = new LaneSlots({ size: 4, reservedForHigh: 1, highWeight: 4, normalWeight: 1 });
    const o = harness(other);
    for (let i = 0; i < 6; i++) void o.add('normal', `n${i}`);
    await tick();
    expect(other.inUse).toEqual({ high: 0, normal: 3 });
    // The reserved slot takes high work at once behind the normal backlog.
    void o.add('high', 'h0');
    await tick();
    expect(o.started).toEqual(['n0', 'n1', 'n2', 'h0']);
  });

  it('shares freed slots by weight while both lanes wait, so normal work is never starved', async () => {
    const slots = new LaneSlots({ size: 2, reservedForHigh: 0, highWeight: 4, normalWeight: 1 });
    const { started, add, releaseFirst } = harness(slots);
    void add('high', 'h-first');
    void add('high', 'h-second');
    for (let i = 0; i < 10; i++) void add('high', `h${i}`);
    for (let i = 0; i < 3; i++) void add('normal', `n${i}`);
    await tick();
    for (let i = 0; i < 10; i++) await releaseFirst(1);
    // After the two that started: four high, one normal, four high, one normal.
    expect(started.slice(2, 12)).toEqual(['h0', 'h1', 'h2', 'h3', 'n0', 'h4', 'h5', 'h6', 'h7', 'n1']);
  });

  it('caps normal work at all but the reservation even when high work holds slots', async () => {
    const slots = new LaneSlots({ size: 3, reservedForHigh: 1, highWeight: 1, normalWeight: 1 });
    const { add, releaseFirst } = harness(slots);
    void add('high', 'h0');
    for (let i = 0; i < 4; i++) void add('normal', `n${i}`);
    await tick();
    expect(slots.inUse).toEqual({ high: 1, normal: 2 });
    await releaseFirst(1); // h0 ends: its slot is the reserved one, normal may not take it
    expect(slots.inUse).toEqual({ high: 0, normal: 2 });
  });

  it('frees the slot when the work throws', async () => {
    const slots = new LaneSlots({ size: 2, reservedForHigh: 1, highWeight: 1, normalWeight: 1 });
    await expect(slots.run('normal', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(slots.inUse).toEqual({ high: 0, normal: 0 });
  });

  it('refuses a reservation that leaves normal work no slot', () => {
    expect(() => new LaneSlots({ size: 2, reservedForHigh: 2, highWeight: 4, normalWeight: 1 })).toThrow(
      'reservation',
    );
  });
});
