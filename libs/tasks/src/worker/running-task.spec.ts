import { RunningTask } from './running-task';

describe('RunningTask', () => {
  it('aborts a signal taken before the cancel', () => {
    const run = new RunningTask('t', 1, 'normal', false);
    const signal = run.signal;
    expect(signal.aborted).toBe(false);
    run.cancel();
    expect(signal.aborted).toBe(true);
    expect(run.cancelled).toBe(true);
  });

  it('hands out an aborted signal after the cancel', () => {
    const run = new RunningTask('t', 1, 'normal', false);
    run.cancel();
    expect(run.signal.aborted).toBe(true);
  });
});
