import amqplib from 'amqplib';
import { harness } from './support';

/**
 * The apps' broker users have least privilege: the worker's may consume the work queues and
 * publish to conveyor.status and conveyor.dlx, and nothing else (scripts/stack.sh sets them).
 */
const h = harness({ worker: false });

/** What the broker answers a worker-user channel doing `act`: 'ok' or its close reason. */
async function asWorker(act: (ch: amqplib.Channel) => unknown): Promise<string> {
  const conn = await amqplib.connect(h.env.WORKER_AMQP_URL);
  try {
    const ch = await conn.createChannel();
    const closed = new Promise<string>((resolve) => {
      ch.on('error', (err: Error) => resolve(err.message));
      ch.on('close', () => resolve('closed'));
    });
    try {
      await act(ch);
      // A refused publish closes the channel asynchronously; a round trip makes it arrive first.
      await ch.checkExchange('conveyor.status');
      await ch.close();
      return 'ok';
    } catch (err) {
      return (err as Error).message;
    } finally {
      await Promise.race([closed, new Promise((r) => setTimeout(r, 100))]);
    }
  } finally {
    await conn.close().catch(() => undefined);
  }
}

describe("the worker's broker user", () => {
  it('may check and consume the work queues and publish to conveyor.status and conveyor.dlx', async () => {
    expect(await asWorker((ch) => ch.checkQueue('conveyor.tasks.normal.io'))).toBe('ok');
    expect(
      await asWorker(async (ch) => {
        const { consumerTag } = await ch.consume('conveyor.tasks.high.cpu', () => undefined);
        await ch.cancel(consumerTag);
      }),
    ).toBe('ok');
    // Routed nowhere (no queue binds the key), so nobody receives these probes.
    expect(await asWorker((ch) => ch.publish('conveyor.status', 'probe.unbound', Buffer.from('{}')))).toBe(
      'ok',
    );
  });

  it('is refused a publish to conveyor.work, conveyor.tasks or through the default exchange', async () => {
    expect(await asWorker((ch) => ch.publish('conveyor.work', 'task.normal.io', Buffer.from('{}')))).toMatch(
      /ACCESS_REFUSED/,
    );
    expect(
      await asWorker((ch) => ch.publish('conveyor.tasks', 'task.normal.io.demo.work', Buffer.from('{}'))),
    ).toMatch(/ACCESS_REFUSED/);
    expect(await asWorker((ch) => ch.sendToQueue('conveyor.tasks.normal.io', Buffer.from('{}')))).toMatch(
      /ACCESS_REFUSED/,
    );
  });

  it('is refused a queue delete or a declare', async () => {
    expect(await asWorker((ch) => ch.deleteQueue('conveyor.tasks.normal.io'))).toMatch(/ACCESS_REFUSED/);
    expect(await asWorker((ch) => ch.assertQueue('conveyor.mine', { durable: true }))).toMatch(
      /ACCESS_REFUSED/,
    );
  });
});
