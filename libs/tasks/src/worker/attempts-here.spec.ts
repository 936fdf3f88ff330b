import { AttemptsHere, EndRun } from './attempts-here';

const run = (here: AttemptsHere, id: string): EndRun => {
  const entry = here.enter(id, 1);
  if (typeof entry !== 'function') throw new Error(`${id} was on record already`);
  return entry;
};

describe('AttemptsHere', () => {
  it('knows an attempt that ran here to confirmed reports, and lets one that did not run again', async () => {
    const here = new AttemptsHere();
    run(here, 't1')(true);
    run(here, 't2')(false);
    expect(await here.enter('t1', 1)).toBe(true);
    expect(typeof here.enter('t1', 2)).toBe('function');
    expect(typeof here.enter('t2', 1)).toBe('function');
  });

  it('makes a copy of a running attempt wait for it, then answers how it ended', async () => {
    const here = new AttemptsHere();
    const finish = run(here, 't1');
    let answer: boolean | undefined;
    const copy = (here.enter('t1', 1) as Promise<boolean>).then((a) => (answer = a));
    await new Promise((r) => setImmediate(r));
    expect(answer).toBeUndefined();
    finish(true);
    await copy;
    expect(answer).toBe(true);

    const failing = run(here, 't2');
    const second = here.enter('t2', 1) as Promise<boolean>;
    failing(false);
    expect(await second).toBe(false);
  });

  it('lets only the first of two copies entered in the same turn run', () => {
    const here = new AttemptsHere();
    const first = here.enter('t1', 1);
    const second = here.enter('t1', 1);
    expect(typeof first).toBe('function');
    expect(second).toBeInstanceOf(Promise);
  });

  it('forgets the oldest finished attempts beyond its bound', async () => {
    const here = new AttemptsHere(2);
    for (const id of ['a', 'b', 'c']) run(here, id)(true);
    expect(typeof here.enter('a', 1)).toBe('function');
    expect(await here.enter('c', 1)).toBe(true);
  });

  it('goes on forgetting the oldest, in order, many times round its bound', async () => {
    const here = new AttemptsHere(3);
    const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);
    for (const id of ids) run(here, id)(true);
    for (const id of ids.slice(7)) expect(await here.enter(id, 1)).toBe(true);
    for (const id of ids.slice(0, 7)) expect(typeof here.enter(id, 1)).toBe('function');
  });
});
