import { randomUUID } from 'node:crypto';
import { harness, publishRaw, queueInfo, request, waitForMessages, waitForTask } from './support';

const h = harness();

/** A task row that exists but whose real message was never published (as if an outsider sent it). */
async function taskRow(): Promise<string> {
  const { v7 } = await import('uuid');
  const id = v7();
  await h.db.query(
    `INSERT INTO tasks (id, type, payload, priority, status, progress, attempts, max_attempts, run_at, created_at, updated_at)
     VALUES ($1, 'demo.work', '{}', 'normal', 'queued', 0, 1, 3, now(), now(), now())`,
    [id],
  );
  return id;
}

describe('poison messages', () => {
  it('dead-letters bad messages, marks their tasks dead, and keeps consuming', async () => {
    const unknownTypeTask = await taskRow();
    const badPayloadTask = await taskRow();

    await publishRaw(h.env, 'conveyor.tasks', 'task.normal.io.demo.work', '<<not json>>', {
      messageId: 'poison-not-json',
    });
    await publishRaw(
      h.env,
      'conveyor.tasks',
      'task.normal.io.no.such.type',
      JSON.stringify({ id: unknownTypeTask, type: 'no.such.type', priority: 'normal', payload: {} }),
      { correlationId: unknownTypeTask },
    );
    await publishRaw(
      h.env,
      'conveyor.tasks',
      'task.normal.cpu.demo.work',
      JSON.stringify({
        id: badPayloadTask,
        type: 'demo.work',
        priority: 'normal',
        payload: { seconds: 'x' },
      }),
      { correlationId: badPayloadTask },
    );
    // Unroutable: the alternate exchange sends it to the dead-letter queue instead of dropping it.
    await publishRaw(h.env, 'conveyor.tasks', 'nothing.binds.this', JSON.stringify({ id: randomUUID() }), {
      messageId: 'poison-unroutable',
    });

    // Published after the poison: it only succeeds if the consumer kept going.
    const good = await request(h.gateway.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 0, cpuBound: false },
    });
    const done = await waitForTask(h.gateway.url, good.body.id, 'terminal');
    expect(done.status).toBe('succeeded');

    const unknown = await waitForTask(h.gateway.url, unknownTypeTask, 'dead');
    expect(unknown.error).toMatchObject({ code: 'UNKNOWN_TYPE', retryable: false });
    expect(unknown.error.message).toMatch(/no\.such\.type/);

    const badPayload = await waitForTask(h.gateway.url, badPayloadTask, 'dead');
    expect(badPayload.error).toMatchObject({ code: 'INVALID_PAYLOAD' });
    expect(badPayload.error.message).toMatch(/payload\.seconds/);

    const [notJson, unknownType, unroutable] = await waitForMessages(h.env, 'conveyor.dead', [
      (m) => m.messageId === 'poison-not-json',
      (m) => m.correlationId === unknownTypeTask,
      (m) => m.messageId === 'poison-unroutable',
    ]);
    expect(JSON.parse(String(notJson.headers['x-conveyor-rejection']))).toMatchObject({
      code: 'INVALID_MESSAGE',
      queue: 'conveyor.tasks.normal.io',
    });
    expect(JSON.parse(String(unknownType.headers['x-conveyor-rejection'])).code).toBe('UNKNOWN_TYPE');
    expect(unroutable.headers['x-conveyor-rejection']).toBeUndefined();
  });

  it('declares the topology of the brief', async () => {
    for (const name of [
      'conveyor.tasks.high.io',
      'conveyor.tasks.high.cpu',
      'conveyor.tasks.normal.io',
      'conveyor.tasks.normal.cpu',
      'conveyor.status',
    ]) {
      const q = await queueInfo(h.env, name);
      expect(q.type).toBe('quorum');
      expect(q.arguments).toMatchObject({
        'x-queue-type': 'quorum',
        'x-dead-letter-exchange': 'conveyor.dlx',
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
        'x-delivery-limit': 5,
      });
    }
  });
});
