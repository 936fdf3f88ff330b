import { randomUUID } from 'node:crypto';
import { asRelay, harness, publishRaw, queueInfo, request, waitForMessages, waitForTask } from './support';

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

    // Signed as the relay signs: malformed messages that passed the proof checks (say, a gateway bug).
    await publishRaw(
      h.env,
      'conveyor.tasks',
      'task.normal.io.demo.work',
      '<<not json>>',
      asRelay(randomUUID(), 1, '<<not json>>', { messageId: 'poison-not-json' }),
    );
    const unknownBody = JSON.stringify({
      id: unknownTypeTask,
      type: 'no.such.type',
      priority: 'normal',
      payload: {},
    });
    await publishRaw(
      h.env,
      'conveyor.tasks',
      'task.normal.io.no.such.type',
      unknownBody,
      asRelay(unknownTypeTask, 1, unknownBody),
    );
    const badBody = JSON.stringify({
      id: badPayloadTask,
      type: 'demo.work',
      priority: 'normal',
      payload: { seconds: 'x' },
    });
    await publishRaw(
      h.env,
      'conveyor.tasks',
      'task.normal.cpu.demo.work',
      badBody,
      asRelay(badPayloadTask, 1, badBody),
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

  it('runs no task message the gateway did not publish: forged, re-signed, text/plain, no message id', async () => {
    // A real task, due in an hour: a forged copy must neither run it early nor kill it.
    const scheduled = await request(h.gateway.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 0, cpuBound: false },
      delaySeconds: 3600,
    });
    const id = scheduled.body.id as string;
    const body = JSON.stringify({
      id,
      type: 'demo.work',
      priority: 'normal',
      payload: { seconds: 0, cpuBound: false },
    });
    const signed = asRelay(id, 1, body);
    const tag = randomUUID();
    const variants: [string, Parameters<typeof publishRaw>[4]][] = [
      ['unsigned', { ...signed, messageId: `${tag}-unsigned`, headers: { 'x-conveyor-attempt': 1 } }],
      [
        'signed with another key',
        {
          ...signed,
          messageId: `${tag}-wrong-key`,
          headers: { ...signed.headers, 'x-conveyor-signature': 'AAAA' },
        },
      ],
      [
        'attempt changed',
        { ...signed, messageId: `${tag}-attempt`, headers: { ...signed.headers, 'x-conveyor-attempt': 2 } },
      ],
      [
        'group rate added',
        {
          ...signed,
          messageId: `${tag}-rate`,
          headers: { ...signed.headers, 'x-conveyor-group-rate': '100000/x' },
        },
      ],
      ['text/plain', { ...signed, messageId: `${tag}-text`, contentType: 'text/plain' }],
    ];
    for (const [, options] of variants)
      await publishRaw(h.env, 'conveyor.tasks', 'task.normal.io.demo.work', body, options);
    await publishRaw(h.env, 'conveyor.tasks', 'task.normal.io.demo.work', body, {
      ...signed,
      messageId: undefined,
    });

    const letters = await waitForMessages(h.env, 'conveyor.dead', [
      (m) => m.messageId === `${tag}-unsigned`,
      (m) => m.messageId === `${tag}-wrong-key`,
      (m) => m.messageId === `${tag}-attempt`,
      (m) => m.messageId === `${tag}-rate`,
      (m) => m.messageId === `${tag}-text`,
      // dead-lettered with a message id of its own; found by its task and reason
      (m) => m.correlationId === id && String(m.headers['x-conveyor-rejection']).includes('NO_MESSAGE_ID'),
    ]);
    expect(letters.map((m) => JSON.parse(String(m.headers['x-conveyor-rejection'])).code)).toEqual([
      'FORGED',
      'FORGED',
      'FORGED',
      'FORGED',
      'UNSUPPORTED_CONTENT_TYPE',
      'NO_MESSAGE_ID',
    ]);
    // The gateway gets those dead letters too (they name the task). A dead letter sent after them
    // that does kill its task shows the gateway has handled them; the forged ones left theirs alone.
    const sentinel = await request(h.gateway.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 0, cpuBound: false },
      delaySeconds: 3600,
    });
    await publishRaw(h.env, 'conveyor.dlx', '', 'sentinel', {
      correlationId: sentinel.body.id,
      headers: { 'x-conveyor-attempt': 1 },
    });
    await waitForTask(h.gateway.url, sentinel.body.id, 'dead');
    const now = (await request(h.gateway.url, 'GET', `/tasks/${id}`)).body;
    expect([now.status, now.startedAt, now.attempts]).toEqual(['pending', null, 0]);
    const attempts = await h.db.query('SELECT 1 FROM task_attempts WHERE task_id = $1', [id]);
    expect(attempts.rowCount).toBe(0);
    await request(h.gateway.url, 'PATCH', `/tasks/${id}`, { status: 'cancelled' });
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
