import type { Channel, ConsumeMessage } from 'amqplib';
import { Settler } from './settler';

/** Records settles by delivery tag; the real broker is exercised by the integration tests. */
function recordingChannel(failing = false) {
  const calls: string[] = [];
  const channel = {
    ack: (m: ConsumeMessage, multiple: boolean) => {
      if (failing) throw new Error('Channel closed');
      calls.push(`ack ${m.fields.deliveryTag}${multiple ? ' multiple' : ''}`);
    },
    nack: (m: ConsumeMessage, _multiple: boolean, requeue: boolean) => {
      if (failing) throw new Error('Channel closed');
      calls.push(`nack ${m.fields.deliveryTag}${requeue ? ' requeue' : ''}`);
    },
  } as unknown as Channel;
  return { channel, calls };
}

function deliver(settler: Settler, n: number): ConsumeMessage[] {
  return Array.from({ length: n }, (_, i) => {
    const m = { fields: { deliveryTag: i + 1 } } as ConsumeMessage;
    settler.received(m);
    return m;
  });
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Settler', () => {
  it('sends the acks of one turn in order as one multiple ack, after the turn', async () => {
    const { channel, calls } = recordingChannel();
    const settler = new Settler(channel);
    const [a, b, c] = deliver(settler, 3);
    settler.ack(a);
    settler.ack(b);
    settler.ack(c);
    expect(calls).toEqual([]);
    await nextTurn();
    expect(calls).toEqual(['ack 3 multiple']);
  });

  it('never lets a multiple ack cover a message still in progress', async () => {
    const { channel, calls } = recordingChannel();
    const settler = new Settler(channel);
    const [a, b, c, d] = deliver(settler, 4);
    settler.ack(a);
    settler.ack(c);
    settler.ack(d);
    await nextTurn();
    expect(calls).toEqual(['ack 1 multiple', 'ack 3', 'ack 4']);
    settler.ack(b);
    await nextTurn();
    expect(calls.slice(3)).toEqual(['ack 2 multiple']);
  });

  it('sends a nack at once, after the acks waiting before it', async () => {
    const { channel, calls } = recordingChannel();
    const settler = new Settler(channel);
    const [a, b, c] = deliver(settler, 3);
    settler.ack(a);
    settler.nack(b, false);
    expect(calls).toEqual(['ack 1 multiple', 'nack 2']);
    settler.ack(c);
    await nextTurn();
    expect(calls).toEqual(['ack 1 multiple', 'nack 2', 'ack 3 multiple']);
  });

  it('flush sends the waiting acks at once (before a channel closes)', () => {
    const { channel, calls } = recordingChannel();
    const settler = new Settler(channel);
    const [a] = deliver(settler, 1);
    settler.ack(a);
    settler.flush();
    expect(calls).toEqual(['ack 1 multiple']);
  });

  it('drops settles on a closed channel instead of throwing', async () => {
    const { channel } = recordingChannel(true);
    const settler = new Settler(channel);
    const [a, b] = deliver(settler, 2);
    settler.ack(a);
    expect(() => settler.nack(b, true)).not.toThrow();
    await nextTurn();
  });
});
