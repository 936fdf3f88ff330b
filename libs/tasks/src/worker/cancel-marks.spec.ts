import type Redis from 'ioredis';
import { cancelMarkKey } from '@conveyor/contracts';
import { CancelMarks } from './cancel-marks';

/** A Redis holding the given cancel marks, recording each MGET; the real one is in the integration tests. */
function fakeRedis(marked: string[], down = false) {
  const calls: string[][] = [];
  const redis = {
    mget: (keys: string[]) => {
      calls.push(keys);
      if (down) return Promise.reject(new Error('Connection is closed.'));
      return Promise.resolve(keys.map((k) => (marked.some((id) => cancelMarkKey(id) === k) ? '1' : null)));
    },
  } as unknown as Redis;
  return { redis, calls };
}

describe('CancelMarks', () => {
  it('answers the questions of one moment with a single MGET', async () => {
    const { redis, calls } = fakeRedis(['b']);
    const marks = new CancelMarks(redis);
    await expect(Promise.all(['a', 'b', 'c'].map((id) => marks.isCancelled(id)))).resolves.toEqual([
      false,
      true,
      false,
    ]);
    expect(calls).toEqual([['a', 'b', 'c'].map(cancelMarkKey)]);
  });

  it('answers "not cancelled" while Redis is down', async () => {
    const { redis } = fakeRedis(['a'], true);
    await expect(new CancelMarks(redis).isCancelled('a')).resolves.toBe(false);
  });
});
