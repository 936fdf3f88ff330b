import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { TASK_TYPES, demoWork, plansSync } from '@conveyor/contracts';
import { DemoWorkHandler } from './demo-work.handler';
import { HandlesTask, TaskHandler } from './handler';
import { HandlerRegistry, checkRegistry } from './handler-registry';

const io: TaskHandler['io'] = () => Promise.resolve(null);
const cpu = { module: join(__dirname, 'demo-work.cpu'), name: 'demoWorkCpu' };

describe('checkRegistry', () => {
  it('accepts a contract with exactly one handler that runs every kind it needs', async () => {
    await expect(checkRegistry([demoWork], [{ type: 'demo.work', handler: { io, cpu } }])).resolves.toEqual(
      [],
    );
  });

  it('reports a type without a handler, a duplicate and an unknown one', async () => {
    await expect(checkRegistry([demoWork], [])).resolves.toEqual([
      'task type demo.work has 0 handlers (exactly one is required)',
    ]);
    const twice = await checkRegistry(
      [demoWork],
      [
        { type: 'demo.work', handler: { io, cpu } },
        { type: 'demo.work', handler: { io } },
      ],
    );
    expect(twice[0]).toMatch(/has 2 handlers/);
    await expect(checkRegistry([], [{ type: 'ghost', handler: { io } }])).resolves.toEqual([
      'handler for unknown task type ghost',
    ]);
  });

  it('reports a kind the handler cannot run, and a CPU function its module does not export', async () => {
    await expect(checkRegistry([demoWork], [{ type: 'demo.work', handler: { io } }])).resolves.toEqual([
      'handler of demo.work cannot run it as cpu',
    ]);
    const missing = await checkRegistry(
      [demoWork],
      [{ type: 'demo.work', handler: { io, cpu: { ...cpu, name: 'nothingHere' } } }],
    );
    expect(missing).toEqual([
      expect.stringMatching(/names CPU function nothingHere, which .* does not export/),
    ]);
  });
});

/** Stand-ins for the domain libraries' handlers (theirs need Redis and the broker). */
function fakeHandler(type: string) {
  @HandlesTask(type)
  @Injectable()
  class Fake implements TaskHandler {
    io = io;
  }
  return Fake;
}

describe('HandlerRegistry', () => {
  async function boot(providers: (new (...args: never[]) => unknown)[]) {
    const module = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [HandlerRegistry, ...providers],
    }).compile();
    await module.init();
    return module;
  }

  it('finds the @HandlesTask providers of the application by task type', async () => {
    const others = TASK_TYPES.filter((t) => t.name !== demoWork.name).map((t) => fakeHandler(t.name));
    const module = await boot([DemoWorkHandler, ...others]);
    const registry = module.get(HandlerRegistry);
    expect(registry.get('demo.work')).toBe(module.get(DemoWorkHandler));
    expect(registry.get(plansSync.name)?.io).toBe(io);
    expect(registry.get('ghost')).toBeUndefined();
    await module.close();
  });

  it('refuses to boot while a task type has no handler', async () => {
    await expect(boot([DemoWorkHandler, fakeHandler(plansSync.name)])).rejects.toThrow(
      /task type user\.process has 0 handlers[\s\S]*task type currency\.convert has 0 handlers/,
    );
  });
});
