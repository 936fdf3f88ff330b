import type { Channel } from 'amqplib';
import {
  EXCHANGES,
  QUEUES,
  QUORUM_QUEUE_ARGS,
  WORK_QUEUES,
  assertTopology,
  taskRoutingKey,
  workRoutingKey,
} from './topology';

/** Records declarations; the real broker is exercised by the integration tests. */
function recordingChannel() {
  const calls: { op: string; args: unknown[] }[] = [];
  const rec =
    (op: string) =>
    (...args: unknown[]) => {
      calls.push({ op, args });
      return Promise.resolve({});
    };
  const channel = {
    assertExchange: rec('exchange'),
    assertQueue: rec('queue'),
    bindQueue: rec('bind'),
  } as unknown as Channel;
  return { channel, calls };
}

describe('topology', () => {
  it('declares every work queue and the status queue as quorum queues with one argument set', async () => {
    const { channel, calls } = recordingChannel();
    await assertTopology(channel);
    const queues = calls.filter((c) => c.op === 'queue');
    for (const { queue } of WORK_QUEUES) {
      const decl = queues.find((c) => c.args[0] === queue);
      expect(decl?.args[1]).toEqual({ durable: true, arguments: QUORUM_QUEUE_ARGS });
    }
    expect(queues.find((c) => c.args[0] === QUEUES.status)?.args[1]).toEqual({
      durable: true,
      arguments: QUORUM_QUEUE_ARGS,
    });
    expect(QUORUM_QUEUE_ARGS['x-dead-letter-exchange']).toBe(EXCHANGES.dlx);
  });

  it('routes each priority and kind to exactly one work queue', async () => {
    const { channel, calls } = recordingChannel();
    await assertTopology(channel);
    const patterns = calls
      .filter((c) => c.op === 'bind' && c.args[1] === EXCHANGES.tasks)
      .map((c) => ({ queue: c.args[0] as string, re: topicRegex(c.args[2] as string) }));
    for (const { queue, priority, kind } of WORK_QUEUES) {
      const key = taskRoutingKey(priority, kind, 'demo.work');
      expect(patterns.filter((p) => p.re.test(key)).map((p) => p.queue)).toEqual([queue]);
    }
  });

  it('binds each work queue to the direct exchange by its lane alone, unroutable ones dead-lettered', async () => {
    const { channel, calls } = recordingChannel();
    await assertTopology(channel);
    const work = calls.find((c) => c.op === 'exchange' && c.args[0] === EXCHANGES.work);
    expect(work?.args.slice(1)).toEqual([
      'direct',
      { durable: true, arguments: { 'alternate-exchange': EXCHANGES.dlx } },
    ]);
    const bindings = calls.filter((c) => c.op === 'bind' && c.args[1] === EXCHANGES.work);
    expect(bindings.map((c) => [c.args[0], c.args[2]]).sort()).toEqual(
      WORK_QUEUES.map(({ queue, priority, kind }) => [queue, workRoutingKey(priority, kind)]).sort(),
    );
    // The outbox tells the lanes apart by this prefix (`routing_key LIKE 'task.high.%'`).
    expect(workRoutingKey('high', 'io')).toMatch(/^task\.high\./);
    expect(workRoutingKey('normal', 'cpu')).not.toMatch(/^task\.high\./);
  });
});

function topicRegex(pattern: string): RegExp {
  const body = pattern
    .split('.')
    .map((w) => (w === '#' ? '.*' : w === '*' ? '[^.]+' : w.replace(/[-]/g, '\\-')))
    .join('\\.')
    .replace(/\\\.\.\*/g, '(\\..*)?');
  return new RegExp(`^${body}$`);
}
