import { Batcher } from './batcher';

describe('Batcher', () => {
  it('hands over a full batch at once and the rest after the delay, in order', async () => {
    const seen: number[][] = [];
    const batcher = new Batcher<number>(3, 20, (b) => {
      seen.push(b);
      return Promise.resolve();
    });
    [1, 2, 3, 4].forEach((n) => batcher.push(n));
    await Promise.resolve();
    expect(seen).toEqual([[1, 2, 3]]);
    await batcher.drain();
    expect(seen).toEqual([[1, 2, 3], [4]]);
  });

  it('processes one batch at a time', async () => {
    let active = 0;
    let maxActive = 0;
    const batcher = new Batcher<number>(1, 0, async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setImmediate(r));
      active--;
    });
    for (let i = 0; i < 5; i++) batcher.push(i);
    await batcher.drain();
    expect(maxActive).toBe(1);
  });

  it('runs up to inFlight batches at once, and gathers a bigger batch while every slot is busy', async () => {
    const releases: (() => void)[] = [];
    const seen: number[][] = [];
    let active = 0;
    let maxActive = 0;
    const batcher = new Batcher<number>(
      10,
      0,
      async (b) => {
        seen.push(b);
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((r) => releases.push(r));
        active--;
      },
      2,
    );
    const turn = () => new Promise((r) => setTimeout(r, 1));
    batcher.push(1);
    await turn();
    batcher.push(2);
    await turn();
    [3, 4, 5].forEach((n) => batcher.push(n));
    await turn();
    expect(seen).toEqual([[1], [2]]);
    releases.shift()!();
    await turn();
    expect(seen).toEqual([[1], [2], [3, 4, 5]]);
    const drained = batcher.drain();
    releases.splice(0).forEach((r) => r());
    await drained;
    expect(maxActive).toBe(2);
  });
});
