import { TASK_STATUSES, TERMINAL_STATUSES, canTransition, isTerminal, sourcesOf } from './task-status';

describe('task state machine', () => {
  it('leaves a terminal status only to run again, and never a success', () => {
    for (const from of TERMINAL_STATUSES) {
      for (const to of TASK_STATUSES)
        expect(canTransition(from, to)).toBe(
          (to === 'pending' && from !== 'succeeded') || (from === 'cancelled' && to === 'waiting'),
        );
    }
  });

  it('goes back to pending only from a terminal status or waiting, never from running to queued', () => {
    expect(sourcesOf('pending').sort()).toEqual(['cancelled', 'dead', 'failed', 'waiting']);
    expect(canTransition('running', 'queued')).toBe(false);
    expect(canTransition('running', 'running')).toBe(false);
  });

  it('lets a worker report overtake the relay', () => {
    expect(canTransition('pending', 'running')).toBe(true);
    expect(canTransition('pending', 'succeeded')).toBe(true);
  });

  it('releases a waiting flow task only to pending or cancelled', () => {
    expect(TASK_STATUSES.filter((to) => canTransition('waiting', to)).sort()).toEqual([
      'cancelled',
      'pending',
    ]);
    expect(sourcesOf('waiting')).toEqual(['cancelled']);
    expect(sourcesOf('queued')).not.toContain('waiting');
  });

  it('cancels only what has not finished', () => {
    expect(sourcesOf('cancelled').sort()).toEqual(
      ['pending', 'queued', 'retrying', 'running', 'waiting'].sort(),
    );
    expect(isTerminal('cancelled')).toBe(true);
    expect(isTerminal('queued')).toBe(false);
  });
});
