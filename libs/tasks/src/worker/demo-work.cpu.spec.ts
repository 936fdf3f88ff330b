import { CpuContext, TaskCancelled } from '@conveyor/tasks/cpu';
import { demoWorkCpu, flowSum } from './demo-work.cpu';

/** A CPU context whose cancel flag the test sets, recording the progress reported. */
function cpuContext(
  attempt: number,
  cancelAfterProgressCalls = Infinity,
  parents: Record<string, unknown> = {},
) {
  const progress: number[] = [];
  const ctx: CpuContext = {
    attempt,
    parents,
    faultDrills: false,
    get cancelled() {
      return progress.length >= cancelAfterProgressCalls;
    },
    throwIfCancelled() {
      if (this.cancelled) throw new TaskCancelled();
    },
    progress: (p: number) => progress.push(p),
  };
  return { ctx, progress };
}

describe('demo.work CPU variant', () => {
  it('burns CPU for the requested time and can fail on request', () => {
    const { ctx, progress } = cpuContext(1);
    const result = demoWorkCpu({ seconds: 0.05, cpuBound: true }, ctx);
    expect(result.kind).toBe('cpu');
    expect(result.ranForMs).toBeGreaterThanOrEqual(50);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress[progress.length - 1]).toBeGreaterThanOrEqual(100);
    expect(() => demoWorkCpu({ seconds: 0, cpuBound: true, fail: true }, cpuContext(1).ctx)).toThrow(
      'demo.work failed on request',
    );
    expect(() => demoWorkCpu({ seconds: 0, cpuBound: true, failAttempts: 2 }, cpuContext(2).ctx)).toThrow(
      /attempt 2/,
    );
    expect(demoWorkCpu({ seconds: 0, cpuBound: true, failAttempts: 2 }, cpuContext(3).ctx).kind).toBe('cpu');
  });

  it('stops at the first check after a cancel instead of running to the end', () => {
    const { ctx } = cpuContext(1, 3);
    const started = Date.now();
    expect(() => demoWorkCpu({ seconds: 10, cpuBound: true }, ctx)).toThrow(TaskCancelled);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses the crash drill unless the worker allows drills', () => {
    expect(() => demoWorkCpu({ seconds: 0, cpuBound: true, crash: true }, cpuContext(1).ctx)).toThrow(
      /crash drills are disabled/,
    );
  });

  it('adds its value to the sums of the parents whose results it sees', () => {
    const parents = { b: { kind: 'io', sum: 3 }, c: { kind: 'io', sum: 4 }, x: null };
    const result = demoWorkCpu(
      { seconds: 0, cpuBound: true, value: 4 },
      cpuContext(1, Infinity, parents).ctx,
    );
    expect(result).toMatchObject({ sum: 11, parents: ['b', 'c', 'x'] });
    expect(flowSum({ seconds: 0, cpuBound: false }, cpuContext(1).ctx)).toEqual({});
    expect(flowSum({ seconds: 0, cpuBound: false, value: 2 }, cpuContext(1).ctx)).toEqual({
      sum: 2,
      parents: [],
    });
  });
});
