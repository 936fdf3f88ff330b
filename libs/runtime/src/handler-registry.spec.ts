import { TASK_TYPES, demoWork } from '@conveyor/contracts';
import { HandlerRegistry, checkRegistry, workerHandlers } from './handler-registry';
import { CpuContext, TaskCancelled, TaskHandler } from './handler';
import { demoWorkCpu } from './demo-work.handler';

const io: TaskHandler['io'] = () => Promise.resolve(null);

describe('handler registry', () => {
  it('is consistent for the shipped task types', () => {
    const deps = {
      rates: { table: () => Promise.reject(new Error('not used')) },
      plans: { sync: () => Promise.reject(new Error('not used')) },
    };
    expect(checkRegistry(TASK_TYPES, workerHandlers(deps))).toEqual([]);
    expect(new HandlerRegistry(workerHandlers(deps)).get('currency.convert')).toBeDefined();
  });

  it('reports a type without a handler, a duplicate and an unknown one', () => {
    expect(checkRegistry([demoWork], [])).toEqual([
      'task type demo.work has 0 handlers (exactly one is required)',
    ]);
    expect(
      checkRegistry(
        [demoWork],
        [
          { type: 'demo.work', io, cpu: true },
          { type: 'demo.work', io },
        ],
      )[0],
    ).toMatch(/has 2 handlers/);
    expect(checkRegistry([], [{ type: 'ghost', io }])).toEqual(['handler for unknown task type ghost']);
  });

  it('reports a kind the handler cannot run', () => {
    expect(checkRegistry([demoWork], [{ type: 'demo.work', io }], {})).toEqual([
      'handler of demo.work cannot run it as cpu',
    ]);
  });
});

/** A CPU context whose cancel flag the test sets, recording the progress reported. */
function cpuContext(attempt: number, cancelAfterProgressCalls = Infinity) {
  const progress: number[] = [];
  const ctx: CpuContext = {
    attempt,
    faultDrills: false,
    get cancelled() {
      return progress.length >= cancelAfterProgressCalls;
    },
    throwIfCancelled() {
      if (this.cancelled) throw new TaskCancelled();
    },
    progress: (p) => progress.push(p),
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
});
