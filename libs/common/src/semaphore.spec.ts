import { Semaphore } from './semaphore';

describe('Semaphore', () => {
  it('runs at most size pieces of work at once, the rest in arrival order', async () => {
    const slots = new Semaphore(2);
    const releases = new Map<number, () => void>();
    const started: number[] = [];
    const work = (n: number) =>
      slots.run(async () => {
        started.push(n);
        await new Promise<void>((r) => releases.set(n, r));
        return n * 10;
      });
    const results = [1, 2, 3, 4].map(work);
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2]);
    releases.get(2)!();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2, 3]);
    releases.get(1)!();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2, 3, 4]);
    releases.get(3)!();
    releases.get(4)!();
    await expect(Promise.all(results)).resolves.toEqual([10, 20, 30, 40]);
  });

  it('frees the slot when the work throws', async () => {
    const slots = new Semaphore(1);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(slots.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
