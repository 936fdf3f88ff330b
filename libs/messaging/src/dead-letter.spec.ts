import type { ConsumeMessage } from 'amqplib';
import { deathOrigin, readDeadLetter } from './dead-letter';
import { Delivery } from './delivery';
import type { Settler } from './settler';

const letter = (headers: Record<string, unknown>, correlationId?: string) =>
  new Delivery(
    {
      content: Buffer.from('{}'),
      fields: { routingKey: '', exchange: 'conveyor.dlx' },
      properties: { headers, correlationId },
    } as unknown as ConsumeMessage,
    {} as Settler,
  );

describe('dead letters', () => {
  it("reads a worker's rejection: why, the queue, the key it was sent with and when", () => {
    const d = letter(
      {
        'x-conveyor-rejection': JSON.stringify({
          code: 'INVALID_EVENT',
          message: 'unknown field colour',
          queue: 'conveyor.events.enrich',
          routingKey: 'event.bet',
          at: '2026-12-01T09:00:00.000Z',
        }),
      },
      undefined,
    );
    expect(readDeadLetter(d).cause).toMatchObject({ code: 'INVALID_EVENT' });
    expect(deathOrigin(d)).toEqual({
      queue: 'conveyor.events.enrich',
      exchange: 'conveyor.events',
      routingKey: 'event.bet',
      diedAt: new Date('2026-12-01T09:00:00.000Z'),
    });
  });

  it("reads the broker's x-death when a message hit the delivery limit", () => {
    const d = letter(
      {
        'x-first-death-queue': 'conveyor.tasks.normal.io',
        'x-first-death-exchange': 'conveyor.tasks',
        'x-first-death-reason': 'delivery_limit',
        'x-death': [
          {
            time: { '!': 'timestamp', value: 1764579600 },
            'routing-keys': ['task.normal.io.demo.work'],
            count: 1,
          },
        ],
      },
      '0190f5d8-8c3a-7cc1-9a57-6a0f7e2b8c11',
    );
    expect(readDeadLetter(d)).toMatchObject({
      taskId: '0190f5d8-8c3a-7cc1-9a57-6a0f7e2b8c11',
      cause: { code: 'DELIVERY_LIMIT' },
    });
    expect(deathOrigin(d)).toEqual({
      queue: 'conveyor.tasks.normal.io',
      exchange: 'conveyor.tasks',
      routingKey: 'task.normal.io.demo.work',
      diedAt: new Date(1764579600 * 1000),
    });
  });

  it('has no origin for a letter nobody explained (unroutable)', () => {
    expect(deathOrigin(letter({}))).toEqual({ queue: null, exchange: null, routingKey: null, diedAt: null });
  });
});
