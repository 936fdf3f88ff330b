import { BackgroundLoop } from './background-loop';

/** A promise with its resolve function, to hand control back and forth with the loop. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('BackgroundLoop', () => {
  it('runs again at once while there is more, idles after, and a wake ends the idle pause', async () => {
    let calls = 0;
    const fourth = deferred();
    const fifth = deferred();
    const loop = new BackgroundLoop(
      () => {
        calls++;
        if (calls === 4) fourth.resolve();
        if (calls === 5) fifth.resolve();
        return Promise.resolve(calls < 4);
      },
      // an idle pause far longer than the test: only wake() can start the fifth pass
      { idleMs: 60_000, maxBackoffMs: 60_000, onError: () => undefined },
    );
    loop.start();
    await fourth.promise;
    expect(calls).toBe(4);
    loop.wake();
    await fifth.promise;
    expect(calls).toBe(5);
    await loop.stop();
  });

  it('doubles its pause after each failure, up to the ceiling, and resets after a success', async () => {
    const pauses: number[] = [];
    const done = deferred();
    let calls = 0;
    const loop = new BackgroundLoop(
      () => {
        calls++;
        if (calls === 6) return Promise.resolve(true); // a success between the failures
        if (calls === 8) done.resolve();
        return Promise.reject(new Error(`failure ${calls}`));
      },
      { idleMs: 1, maxBackoffMs: 8, onError: (_err, retryIn) => pauses.push(retryIn) },
    );
    loop.start();
    await done.promise;
    await loop.stop();
    expect(pauses.slice(0, 6)).toEqual([2, 4, 8, 8, 8, 2]);
  });

  it('stops only after the pass in progress has finished', async () => {
    const inPass = deferred();
    const release = deferred();
    let finished = false;
    const loop = new BackgroundLoop(
      async () => {
        inPass.resolve();
        await release.promise;
        finished = true;
        return false;
      },
      { idleMs: 60_000, maxBackoffMs: 60_000, onError: () => undefined },
    );
    loop.start();
    await inPass.promise;
    const stopped = loop.stop().then(() => finished);
    release.resolve();
    await expect(stopped).resolves.toBe(true);
  });

  it('with a busy share, yields after each busy pass in proportion to how long it took', async () => {
    const gaps: number[] = [];
    const done = deferred();
    let ended = 0;
    let calls = 0;
    const loop = new BackgroundLoop(
      async () => {
        if (calls++ > 0) gaps.push(performance.now() - ended);
        if (calls === 4) done.resolve();
        await new Promise((r) => setTimeout(r, 30)); // the pass's own work
        ended = performance.now();
        return true;
      },
      // a quarter of the time: 30 ms of work, then 90 ms given back
      { idleMs: 60_000, maxBackoffMs: 60_000, onError: () => undefined, busyShare: 0.25 },
    );
    loop.start();
    await done.promise;
    await loop.stop();
    expect(gaps).toHaveLength(3);
    // at least three times the pass (a timer may fire a millisecond early)
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(88);
  });

  it('stops without waiting out a yield', async () => {
    const first = deferred();
    const loop = new BackgroundLoop(
      async () => {
        await new Promise((r) => setTimeout(r, 20));
        first.resolve();
        return true;
      },
      // 20 ms of work at a share of 1/1000 would yield 20 s, far past the test's timeout
      { idleMs: 60_000, maxBackoffMs: 60_000, onError: () => undefined, busyShare: 0.001 },
    );
    loop.start();
    await first.promise;
    await loop.stop();
  });
});
