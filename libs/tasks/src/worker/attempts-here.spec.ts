import { AttemptsHere } from './attempts-here';

describe('AttemptsHere', () => {
  it('knows an attempt that ran here to confirmed reports, and no other', async () => {
    const here = new AttemptsHere();
    here.start('t1', 1)(true);
    here.start('t2', 1)(false);
    expect(await here.ranHere('t1', 1)).toBe(true);
    expect(await here.ranHere('t1', 2)).toBe(false);
    expect(await here.ranHere('t2', 1)).toBe(false);
  });

  it('makes a copy of a running attempt wait for it, then answers how it ended', async () => {
    const here = new AttemptsHere();
    const finish = here.start('t1', 1);
    let answer: boolean | undefined;
    const copy = here.ranHere('t1', 1).then((a) => (answer = a));
    await new Promise((r) => setImmediate(r));
    expect(answer).toBeUndefined();
    finish(true);
    await copy;
    expect(answer).toBe(true);

    const failing = here.start('t2', 1);
    const second = here.ranHere('t2', 1);
    failing(false);
    expect(await second).toBe(false);
  });

  it('forgets the oldest finished attempts beyond its bound', async () => {
    const here = new AttemptsHere(2);
    for (const id of ['a', 'b', 'c']) here.start(id, 1)(true);
    expect(await here.ranHere('a', 1)).toBe(false);
    expect(await here.ranHere('c', 1)).toBe(true);
  });
});
