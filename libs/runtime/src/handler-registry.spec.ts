import { demoWork } from '@conveyor/contracts';
import { HandlerRegistry, checkRegistry } from './handler-registry';
import { TaskHandler } from './handler';
import { demoWorkCpu } from './demo-work.handler';

const io: TaskHandler['io'] = () => Promise.resolve(null);

describe('handler registry', () => {
  it('is consistent for the shipped task types', () => {
    expect(checkRegistry()).toEqual([]);
    expect(new HandlerRegistry().get('demo.work')).toBeDefined();
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

describe('demo.work CPU variant', () => {
  it('burns CPU for the requested time and can fail on request', () => {
    const result = demoWorkCpu({ seconds: 0.05, cpuBound: true }, { attempt: 1 });
    expect(result.kind).toBe('cpu');
    expect(result.ranForMs).toBeGreaterThanOrEqual(50);
    expect(() => demoWorkCpu({ seconds: 0, cpuBound: true, fail: true }, { attempt: 1 })).toThrow(
      'demo.work failed on request',
    );
    expect(() => demoWorkCpu({ seconds: 0, cpuBound: true, failAttempts: 2 }, { attempt: 2 })).toThrow(
      /attempt 2/,
    );
    expect(demoWorkCpu({ seconds: 0, cpuBound: true, failAttempts: 2 }, { attempt: 3 }).kind).toBe('cpu');
  });
});
