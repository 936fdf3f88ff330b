import { Registry } from 'prom-client';
import { parseConfig } from '@conveyor/config';
import type { AmqpService } from '@conveyor/messaging';
import { FastPublish } from './fast-publish';
import type { OutboxRepository } from './outbox.repository';
import type { PreparedTask, TasksRepository } from './tasks.repository';
import { TasksMetrics } from './tasks.metrics';
import { taskOutboxMessage } from './task-message';

/** Stand-ins for the broker and the outbox: which messages were published, which rows removed. */
function parts(options: { connected?: boolean; refuse?: string[]; firstRemoval?: Promise<void> } = {}) {
  const published: string[] = [];
  const removals: string[][] = [];
  const amqp = {
    isConnected: () => options.connected ?? true,
    publish: (_exchange: string, _key: string, _body: Buffer, o: { correlationId: string }) => {
      published.push(o.correlationId);
      return options.refuse?.includes(o.correlationId)
        ? Promise.reject(new Error('nacked'))
        : Promise.resolve();
    },
  };
  const outbox = {
    removePublished: (sent: { taskId: string }[]) => {
      removals.push(sent.map((m) => m.taskId));
      const done = removals.length === 1 && options.firstRemoval ? options.firstRemoval : Promise.resolve();
      return done;
    },
  };
  return {
    published,
    removals,
    amqp: amqp as unknown as AmqpService,
    outbox: outbox as unknown as OutboxRepository,
  };
}

const NOW = () => new Date();
function item(id: string, options: { runAt?: Date; group?: string } = {}): PreparedTask {
  const task = {
    id,
    type: 'demo.work',
    priority: 'normal' as const,
    payload: { seconds: 0, cpuBound: false },
  };
  const runAt = options.runAt ?? NOW();
  return {
    task: {
      ...task,
      group: options.group ?? null,
      maxAttempts: 3,
      runAt,
      idempotencyKey: null,
      idempotencyFingerprint: null,
    },
    message: taskOutboxMessage({ ...task, group: options.group ?? null }, 1, runAt),
  };
}

describe('FastPublish', () => {
  const config = parseConfig({ OUTBOX_FALLBACK_MS: '5000' });
  const metrics = new TasksMetrics(new Registry(), {} as TasksRepository, {} as OutboxRepository);

  it('takes only tasks due now and in no group, and moves their rows to the fallback time', () => {
    const { amqp, outbox } = parts();
    const fast = new FastPublish(outbox, amqp, metrics, config);
    const later = new Date(Date.now() + 60_000);
    const items = [item('now'), item('later', { runAt: later }), item('grouped', { group: 'g' })];
    const before = Date.now();
    fast.mark(items);
    expect(items.map((i) => i.fast ?? false)).toEqual([true, false, false]);
    expect(items[0].message.availableAt.getTime()).toBeGreaterThanOrEqual(before + 5000);
    expect(items[1].message.availableAt).toEqual(later);
  });

  it('leaves everything to the relay while the broker is away, or when switched off', () => {
    for (const [connected, setting] of [
      [false, '5000'],
      [true, '0'],
    ] as const) {
      const { amqp, outbox } = parts({ connected });
      const fast = new FastPublish(outbox, amqp, metrics, parseConfig({ OUTBOX_FALLBACK_MS: setting }));
      const items = [item('a')];
      fast.mark(items);
      expect(items[0].fast).toBeUndefined();
    }
  });

  describe('removal of the rows', () => {
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    /** Until the removals made reach `n` (each publish and statement takes a few turns). */
    async function removalsReach(removals: string[][], n: number): Promise<void> {
      for (let i = 0; i < 100 && removals.length < n; i++) await turn();
      expect(removals).toHaveLength(n);
    }

    it('removes the rows of confirmed messages only, one statement at a time taking all confirmed meanwhile', async () => {
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const { amqp, outbox, published, removals } = parts({ refuse: ['b'], firstRemoval: gate });
      const fast = new FastPublish(outbox, amqp, metrics, config);
      const items = ['a', 'b', 'c', 'd'].map((id) => item(id));
      fast.mark(items);
      fast.send(items.slice(0, 1));
      await removalsReach(removals, 1); // a's removal is in flight
      expect(removals).toEqual([['a']]);
      fast.send(items.slice(1, 3));
      fast.send(items.slice(3));
      fast.send([item('not-marked')]);
      for (let i = 0; i < 10; i++) await turn();
      expect(removals).toHaveLength(1); // c and d wait for a's statement
      release();
      await fast.beforeApplicationShutdown();
      expect(published.sort()).toEqual(['a', 'b', 'c', 'd']);
      expect(removals.map((r) => r.sort())).toEqual([['a'], ['c', 'd']]);
    });

    it('removes at once, the confirms of one moment in one statement, and a stopping gateway waits for it', async () => {
      const { amqp, outbox, removals } = parts();
      const fast = new FastPublish(outbox, amqp, metrics, config);
      const items = [item('a'), item('b'), item('c')];
      fast.mark(items);
      fast.send(items.slice(0, 1));
      fast.send(items.slice(1, 2));
      await removalsReach(removals, 1);
      expect(removals.map((r) => r.sort())).toEqual([['a', 'b']]);
      fast.send(items.slice(2));
      await fast.beforeApplicationShutdown();
      expect(removals.map((r) => r.sort())).toEqual([['a', 'b'], ['c']]);
    });
  });
});
