import { TERMINAL, harness, request, waitFor } from './support';

const h = harness({ gatewayEnv: { RETRY_BASE_MS: '200', RETRY_MAX_MS: '1000' } });

async function submit(body: object) {
  const res = await request(h.gateway.url, 'POST', '/tasks', { type: 'demo.work', ...body });
  expect(res.status).toBe(201);
  return res.body as { id: string; runAt: string; createdAt: string; maxAttempts: number };
}

/** Polls a task to its end, collecting the statuses seen on the way. */
async function follow(id: string) {
  const seen = new Set<string>();
  const task = await waitFor(
    `task ${id} to finish`,
    async () => {
      const { body } = await request(h.gateway.url, 'GET', `/tasks/${id}`);
      seen.add(body.status);
      return TERMINAL.includes(body.status) ? body : undefined;
    },
    60_000,
    25,
  );
  return { task, seen };
}

describe('scheduled tasks', () => {
  it('keeps a delayed task pending and publishes it when due (± 1 s)', async () => {
    const created = await submit({ payload: { seconds: 0, cpuBound: false }, delaySeconds: 2 });
    const due = new Date(created.createdAt).getTime() + 2000;
    expect(Math.abs(new Date(created.runAt).getTime() - due)).toBeLessThan(100);
    const early = await request(h.gateway.url, 'GET', `/tasks/${created.id}`);
    expect(early.body.status).toBe('pending');
    const { task } = await follow(created.id);
    expect(task.status).toBe('succeeded');
    const queuedAt = new Date(task.queuedAt).getTime();
    expect(queuedAt).toBeGreaterThanOrEqual(due - 50);
    expect(queuedAt).toBeLessThanOrEqual(due + 1000);
  });

  it('runs a task at its runAt, and at once when runAt has passed', async () => {
    const at = new Date(Date.now() + 1500).toISOString();
    const later = await submit({ payload: { seconds: 0, cpuBound: false }, runAt: at });
    const past = await submit({ payload: { seconds: 0, cpuBound: false }, runAt: '2020-01-01T00:00:00Z' });
    const [l, p] = await Promise.all([follow(later.id), follow(past.id)]);
    expect(new Date(l.task.queuedAt).getTime()).toBeGreaterThanOrEqual(new Date(at).getTime() - 50);
    expect(new Date(l.task.queuedAt).getTime()).toBeLessThanOrEqual(new Date(at).getTime() + 1000);
    expect(p.task.status).toBe('succeeded');
    expect(new Date(p.task.queuedAt).getTime() - new Date(p.task.createdAt).getTime()).toBeLessThan(1000);
  });
});

describe('retries', () => {
  it('retries a retryable failure with backoff and records every attempt', async () => {
    const created = await submit({
      payload: { seconds: 0, cpuBound: false, failAttempts: 2 },
      maxAttempts: 3,
    });
    const { task, seen } = await follow(created.id);
    expect(task.status).toBe('succeeded');
    expect(task.attempts).toBe(3);
    expect(seen.has('retrying')).toBe(true);
    const { body } = await request(h.gateway.url, 'GET', `/tasks/${created.id}/attempts`);
    expect(body.items.map((a: { attempt: number; status: string }) => [a.attempt, a.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'succeeded'],
    ]);
    expect(body.items[0].error).toMatchObject({ code: 'DEMO_RETRYABLE_FAILURE', retryable: true });
    // Backoff: the second attempt started at least half the base delay after the first ended.
    const gap = new Date(body.items[1].startedAt).getTime() - new Date(body.items[0].finishedAt).getTime();
    expect(gap).toBeGreaterThanOrEqual(100);
  });

  it('fails for good when the attempts run out', async () => {
    const created = await submit({
      payload: { seconds: 0, cpuBound: true, failAttempts: 5 },
      maxAttempts: 2,
    });
    const { task } = await follow(created.id);
    expect(task.status).toBe('failed');
    expect(task.attempts).toBe(2);
    expect(task.error).toMatchObject({ code: 'DEMO_RETRYABLE_FAILURE', retryable: true });
    const { body } = await request(h.gateway.url, 'GET', `/tasks/${created.id}/attempts`);
    expect(body.items).toHaveLength(2);
  });

  it('does not retry an error the handler calls final', async () => {
    const created = await submit({ payload: { seconds: 0, cpuBound: false, fail: true }, maxAttempts: 5 });
    const { task } = await follow(created.id);
    expect(task.status).toBe('failed');
    expect(task.attempts).toBe(1);
    expect(task.error.retryable).toBe(false);
  });
});

describe('running a task again', () => {
  it('reruns a failed task as a new attempt', async () => {
    const created = await submit({
      payload: { seconds: 0, cpuBound: false, failAttempts: 1 },
      maxAttempts: 1,
    });
    expect((await follow(created.id)).task.status).toBe('failed');
    const rerun = await request(h.gateway.url, 'POST', `/tasks/${created.id}/retry`);
    expect(rerun.status).toBe(200);
    expect(rerun.body).toMatchObject({ status: 'pending', attempts: 2, error: null, finishedAt: null });
    const { task } = await follow(created.id);
    expect(task.status).toBe('succeeded');
    expect(task.attempts).toBe(2);
    const { body } = await request(h.gateway.url, 'GET', `/tasks/${created.id}/attempts`);
    expect(body.items.map((a: { status: string }) => a.status)).toEqual(['failed', 'succeeded']);
  });

  it('reruns a cancelled task, which then really runs', async () => {
    const created = await submit({ payload: { seconds: 0, cpuBound: false }, delaySeconds: 3600 });
    const cancelled = await request(h.gateway.url, 'PATCH', `/tasks/${created.id}`, { status: 'cancelled' });
    expect(cancelled.body.status).toBe('cancelled');
    const rerun = await request(h.gateway.url, 'POST', `/tasks/${created.id}/retry`);
    expect(rerun.status).toBe(200);
    expect((await follow(created.id)).task.status).toBe('succeeded');
  });

  it('refuses to rerun a task that succeeded or does not exist', async () => {
    const created = await submit({ payload: { seconds: 0, cpuBound: false } });
    await follow(created.id);
    const again = await request(h.gateway.url, 'POST', `/tasks/${created.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/is succeeded; only failed, dead or cancelled/);
    const missing = await request(h.gateway.url, 'POST', '/tasks/01900000-0000-7000-8000-000000000000/retry');
    expect(missing.status).toBe(404);
  });
});
