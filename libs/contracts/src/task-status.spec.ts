import { TASK_STATUSES, TERMINAL_STATUSES, canTransition, isTerminal, sourcesOf } from './task-status';

describe('task state machine', () => {
  it('leaves a terminal status only to run again, and never a success', () => {
    for (const from of TERMINAL_STATUSES) {
      for (const to of TASK_STATUSES)
        expect(canTransition(from, to)).toBe(to === 'pending' && from !== 'succeeded');
    }
  });

  it('goes back to pending only from a terminal status, never from running to queued', () => {
    expect(sourcesOf('pending').sort()).toEqual(['cancelled', 'dead', 'failed']);
    expect(canTransition('running', 'queued')).toBe(false);
    expect(canTransition('running', 'running')).toBe(false);
  });

  it('lets a worker report overtake the relay', () => {
    expect(canTransition('pending', 'running')).toBe(true);
    expect(canTransition('pending', 'succeeded')).toBe(true);
  });

  it('cancels only what has not finished', () => {
    expect(sourcesOf('cancelled').sort()).toEqual(['pending', 'queued', 'retrying', 'running'].sort());
    expect(isTerminal('cancelled')).toBe(true);
    expect(isTerminal('queued')).toBe(false);
  });
});
