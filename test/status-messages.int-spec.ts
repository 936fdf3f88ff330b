import { harness, publishRaw, request, waitFor, waitForMessages, waitForTask } from './support';

/**
 * Reports published straight onto conveyor.status, as a worker would, with no worker running:
 * the gateway's state machine alone decides what they change.
 */
const h = harness({ worker: false });

async function queuedTask(): Promise<string> {
  const res = await request(h.gateway.url, 'POST', '/tasks', {
    type: 'demo.work',
    payload: { seconds: 0, cpuBound: false },
  });
  await waitForTask(h.gateway.url, res.body.id, 'queued');
  return res.body.id as string;
}

async function report(taskId: string, status: string, at: Date, extra: object = {}) {
  const body = {
    reports: [{ taskId, attempt: 1, status, at: at.toISOString(), workerId: 'test', ...extra }],
  };
  await publishRaw(h.env, 'conveyor.status', 'status', JSON.stringify(body), {
    contentType: 'application/json',
    correlationId: taskId,
  });
}

async function row(id: string) {
  const { rows } = await h.db.query(
    'SELECT status, result, error, started_at, finished_at, updated_at, attempts FROM tasks WHERE id = $1',
    [id],
  );
  return rows[0];
}

/** Sends a marker report on another task and waits until it is applied: the queue is in order. */
async function settled(): Promise<void> {
  const marker = await queuedTask();
  await report(marker, 'running', new Date());
  await waitFor('marker report to be applied', async () =>
    (await row(marker)).status === 'running' ? true : undefined,
  );
}

describe('status messages', () => {
  it('applies running then succeeded', async () => {
    const id = await queuedTask();
    const t0 = new Date();
    await report(id, 'running', t0);
    await report(id, 'succeeded', new Date(t0.getTime() + 10), { result: { ok: 1 } });
    const done = await waitFor('task to succeed', async () => {
      const r = await row(id);
      return r.status === 'succeeded' ? r : undefined;
    });
    expect(done.result).toEqual({ ok: 1 });
    expect(done.started_at.getTime()).toBe(t0.getTime());
  });

  it('changes nothing when the same message arrives twice', async () => {
    const id = await queuedTask();
    const at = new Date();
    await report(id, 'succeeded', at, { result: { n: 1 } });
    await waitFor('task to succeed', async () => ((await row(id)).status === 'succeeded' ? true : undefined));
    const before = await row(id);
    await report(id, 'succeeded', at, { result: { n: 1 } });
    await settled();
    expect(await row(id)).toEqual(before);
  });

  it('changes nothing when an older message arrives after a newer one', async () => {
    const id = await queuedTask();
    const t0 = new Date();
    await report(id, 'failed', new Date(t0.getTime() + 50), {
      error: { message: 'boom', code: 'X', retryable: false },
    });
    await waitFor('task to fail', async () => ((await row(id)).status === 'failed' ? true : undefined));
    const before = await row(id);
    await report(id, 'running', t0);
    await report(id, 'succeeded', t0, { result: { late: true } });
    await settled();
    expect(await row(id)).toEqual(before);
    expect(before.error).toEqual({ message: 'boom', code: 'X', retryable: false });
  });

  it('ignores a report about an older attempt', async () => {
    const id = await queuedTask();
    await h.db.query('UPDATE tasks SET attempts = 2 WHERE id = $1', [id]);
    await report(id, 'succeeded', new Date(), { attempt: 1, result: {} });
    await settled();
    expect((await row(id)).status).toBe('queued');
    // Its attempt 2 has no message: ended here, or a later spec waiting for every task would wait forever.
    expect((await request(h.gateway.url, 'PATCH', `/tasks/${id}`, { status: 'cancelled' })).status).toBe(200);
  });

  it('dead-letters a malformed status message and keeps consuming', async () => {
    const tag = `malformed-${Date.now()}`;
    await publishRaw(h.env, 'conveyor.status', 'status', 'not json at all', { messageId: `${tag}-1` });
    await publishRaw(
      h.env,
      'conveyor.status',
      'status',
      JSON.stringify({ reports: [{ taskId: 'x', status: 'running' }] }),
      {
        messageId: `${tag}-2`,
      },
    );
    await settled();
    const dead = await waitForMessages(h.env, 'conveyor.dead', [
      (m) => m.messageId === `${tag}-1`,
      (m) => m.messageId === `${tag}-2`,
    ]);
    expect(dead[0].body).toBe('not json at all');
    expect(dead[0].headers['x-first-death-queue']).toBe('conveyor.status');
  });

  it('records a success that arrives after a cancel as a cancelled attempt, and the task stays cancelled', async () => {
    const id = await queuedTask();
    const t0 = new Date();
    await report(id, 'running', t0);
    await waitFor('the task to run', async () => ((await row(id)).status === 'running' ? true : undefined));
    // The handler finished first, but its report is late (say PostgreSQL was down): the cancel wins.
    expect((await request(h.gateway.url, 'PATCH', `/tasks/${id}`, { status: 'cancelled' })).status).toBe(200);
    await report(id, 'succeeded', new Date(t0.getTime() + 10), { result: { ok: 1 } });
    await settled();
    const task = await row(id);
    expect([task.status, task.result]).toEqual(['cancelled', null]);
    const { rows } = await h.db.query(`SELECT status, error FROM task_attempts WHERE task_id = $1`, [id]);
    expect(rows).toEqual([
      { status: 'cancelled', error: expect.objectContaining({ code: 'SUCCEEDED_AFTER_CANCEL' }) },
    ]);
  });
});
