import { harness, metricValue, request, startApp, waitFor, waitForTask } from './support';

const h = harness();

async function submit(payload: object, extra: object = {}, headers: Record<string, string> = {}) {
  const res = await request(
    h.gateway.url,
    'POST',
    '/tasks',
    { type: 'demo.work', payload, ...extra },
    headers,
  );
  return res;
}

function finished(id: string) {
  return waitForTask(h.gateway.url, id, 'terminal');
}

describe('tasks end to end', () => {
  it('runs an IO task through queued → running → succeeded', async () => {
    const created = await submit({ seconds: 1, cpuBound: false });
    expect(created.status).toBe(201);
    // Due now: its gateway publishes it right after the commit, so it is stored queued.
    expect(created.body).toMatchObject({ status: 'queued', attempts: 1 });
    expect(created.body.queuedAt).toBe(created.body.createdAt);
    const seen: string[] = [created.body.status];
    const done = await waitFor(
      'IO task to succeed',
      async () => {
        const { body } = await request(h.gateway.url, 'GET', `/tasks/${created.body.id}`);
        if (seen.at(-1) !== body.status) seen.push(body.status);
        return body.status === 'succeeded' ? body : undefined;
      },
      30_000,
      25,
    );
    // Polling may miss a short step (`running` of a quick handler), never the order.
    const order = ['pending', 'queued', 'running', 'succeeded'];
    expect(seen.map((s) => order.indexOf(s))).toEqual([...seen.map((s) => order.indexOf(s))].sort());
    expect(seen).toEqual(expect.arrayContaining(['queued', 'running', 'succeeded']));
    expect(done.queuedAt).not.toBeNull();
    expect(done.result).toMatchObject({ kind: 'io' });
    expect(done.result.ranForMs).toBeGreaterThanOrEqual(1000);
    expect(done.attempts).toBe(1);
    expect(done.progress).toBe(100);
    expect(new Date(done.startedAt).getTime()).toBeLessThan(new Date(done.finishedAt).getTime());
  });

  it('runs a CPU task in the pool', async () => {
    const created = await submit({ seconds: 0.5, cpuBound: true });
    const done = await finished(created.body.id);
    expect(done.status).toBe('succeeded');
    expect(done.result.kind).toBe('cpu');
    expect(done.result.iterations).toBeGreaterThan(0);
  });

  it.each([false, true])(
    'reports a failing task (cpuBound=%s) as failed with the error',
    async (cpuBound) => {
      const created = await submit({ seconds: 0, cpuBound, fail: true });
      const done = await finished(created.body.id);
      expect(done.status).toBe('failed');
      expect(done.error).toEqual({
        message: 'demo.work failed on request',
        code: 'DEMO_FAILURE',
        retryable: false,
      });
      expect(done.result).toBeNull();
    },
  );

  it('runs high-priority tasks', async () => {
    const created = await submit({ seconds: 0, cpuBound: false }, { priority: 'high' });
    expect(created.body.priority).toBe('high');
    expect((await finished(created.body.id)).status).toBe('succeeded');
  });

  it('creates a batch in one request and runs every task', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({
      type: 'demo.work',
      payload: { seconds: 0, cpuBound: i % 5 === 0 },
      priority: i % 2 ? 'high' : 'normal',
    }));
    const res = await request(h.gateway.url, 'POST', '/tasks/batch', { items });
    expect(res.status).toBe(201);
    expect(res.body.items).toHaveLength(50);
    expect(res.body.items.map((t: { priority: string }) => t.priority)).toEqual(items.map((i) => i.priority));
    const ids = res.body.items.map((t: { id: string }) => t.id);
    const done = await waitFor('batch to finish', async () => {
      const { rows } = await h.db.query(
        `SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1) AND status = 'succeeded'`,
        [ids],
      );
      return rows[0].n === 50 ? true : undefined;
    });
    expect(done).toBe(true);
  });

  it('lists and filters tasks, newest first, with paging', async () => {
    const page = await request(h.gateway.url, 'GET', '/tasks?type=demo.work&status=failed&limit=1&offset=0');
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ limit: 1, offset: 0, hasMore: true });
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0].status).toBe('failed');
    const all = await request(h.gateway.url, 'GET', '/tasks?limit=100');
    const created = all.body.items.map((t: { createdAt: string }) => t.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    const none = await request(h.gateway.url, 'GET', '/tasks?type=no.such.type');
    expect(none.body).toEqual({ items: [], limit: 20, offset: 0, hasMore: false });
  });

  it('answers 404 for an unknown task and 409 when cancelling a finished one', async () => {
    const missing = await request(h.gateway.url, 'GET', '/tasks/01900000-0000-7000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toMatch(/not found/);
    const created = await submit({ seconds: 0, cpuBound: false });
    await finished(created.body.id);
    const cancel = await request(h.gateway.url, 'PATCH', `/tasks/${created.body.id}`, {
      status: 'cancelled',
    });
    expect(cancel.status).toBe(409);
    expect(cancel.body.message).toMatch(/succeeded/);
  });

  it('returns the first task again for a repeated Idempotency-Key', async () => {
    const key = `key-${Date.now()}`;
    const first = await submit({ seconds: 0, cpuBound: false }, {}, { 'idempotency-key': key });
    const second = await submit({ seconds: 0, cpuBound: false }, {}, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const { rows } = await h.db.query('SELECT count(*)::int AS n FROM tasks WHERE idempotency_key = $1', [
      key,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('lists tasks by priority, Idempotency-Key and creation time, and refuses bad filters with a 400', async () => {
    const before = new Date(Date.now() - 1).toISOString();
    const key = `list-${Date.now()}`;
    const keyed = await submit(
      { seconds: 0, cpuBound: false },
      { priority: 'high' },
      { 'idempotency-key': key },
    );
    const plain = await submit({ seconds: 0, cpuBound: false });
    expect([keyed.status, plain.status]).toEqual([201, 201]);
    const ids = async (query: string) =>
      ((await request(h.gateway.url, 'GET', `/tasks?limit=100&${query}`)).body.items as { id: string }[]).map(
        (t) => t.id,
      );
    expect(await ids(`idempotencyKey=${key}`)).toEqual([keyed.body.id]);
    const high = await ids(`priority=high&createdAfter=${encodeURIComponent(before)}`);
    expect(high).toContain(keyed.body.id);
    expect(high).not.toContain(plain.body.id);
    expect(await ids(`createdBefore=${encodeURIComponent(before)}&idempotencyKey=${key}`)).toEqual([]);
    const after = await ids(`createdAfter=${encodeURIComponent(before)}`);
    expect(after).toEqual(expect.arrayContaining([keyed.body.id, plain.body.id]));
    for (const [query, message] of [
      ['priority=urgent', 'priority must be one of high, normal'],
      ['createdAfter=yesterday', 'createdAfter must be an ISO 8601 date-time'],
      [`idempotencyKey=${'k'.repeat(201)}`, 'idempotencyKey must be at most 200 characters'],
    ]) {
      const r = await request(h.gateway.url, 'GET', `/tasks?${query}`);
      expect({ query, status: r.status }).toEqual({ query, status: 400 });
      expect(JSON.stringify(r.body)).toContain(message);
    }
  });

  it('finds tasks by text in their payload, result or error, and takes the text literally', async () => {
    const before = new Date(Date.now() - 1).toISOString();
    const mark = () => 100_000_000 + Math.floor(Math.random() * 800_000_000);
    const [ok, bad] = [mark(), mark()];
    const succeeded = await submit({ seconds: 0, cpuBound: false, value: ok });
    const failed = await submit({ seconds: 0, cpuBound: false, fail: true, value: bad }, { maxAttempts: 1 });
    await finished(succeeded.body.id);
    const error = (await finished(failed.body.id)).error as { code: string; message: string };
    const ids = async (query: string) => {
      const r = await request(h.gateway.url, 'GET', `/tasks?limit=100&${query}`);
      expect({ query, status: r.status }).toEqual({ query, status: 200 });
      return (r.body.items as { id: string }[]).map((t) => t.id);
    };
    expect(await ids(`q=${ok}`)).toEqual([succeeded.body.id]);
    // An unfinished task is found too (the trigram index holds finished ones only).
    const waits = mark();
    const pending = await submit(
      { seconds: 0, cpuBound: false, value: waits },
      { runAt: new Date(Date.now() + 3_600_000).toISOString() },
    );
    expect(pending.status).toBe(201);
    expect(await ids(`q=${waits}`)).toEqual([pending.body.id]);
    expect(await ids(`q=${waits}&status=pending`)).toEqual([pending.body.id]);
    expect(await ids(`q=${waits}&status=succeeded`)).toEqual([]);
    const cancelled = await request(h.gateway.url, 'PATCH', `/tasks/${pending.body.id}`, {
      status: 'cancelled',
    });
    expect(cancelled.status).toBe(200);
    expect(await ids(`q=${waits}`)).toEqual([pending.body.id]); // now through the trigram index
    expect(await ids(`q=${bad}&status=failed`)).toEqual([failed.body.id]);
    // The error's words, in another case: the failed one is found, the succeeded one is not.
    const words = await ids(
      `q=${encodeURIComponent(error.message.slice(0, 12).toUpperCase())}&createdAfter=${encodeURIComponent(before)}`,
    );
    expect(words).toContain(failed.body.id);
    expect(words).not.toContain(succeeded.body.id);
    // % and _ are characters to find, not wildcards: nothing has "%%%" or "___" in it.
    expect(await ids(`q=${encodeURIComponent('%%%')}&createdAfter=${encodeURIComponent(before)}`)).toEqual(
      [],
    );
    expect(await ids(`q=___&createdAfter=${encodeURIComponent(before)}`)).toEqual([]);
    const { rows } = await h.db.query(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'tasks_search_trgm_idx'`,
    );
    expect(rows[0]?.indexdef).toContain('gin_trgm_ops');
    for (const q of ['ab', 'x'.repeat(201)]) {
      const r = await request(h.gateway.url, 'GET', `/tasks?q=${q}`);
      expect(r.status).toBe(400);
      expect(JSON.stringify(r.body)).toContain('q must be 3 to 200 characters');
    }
  });

  it('exposes Prometheus metrics on both apps', async () => {
    const created = await submit({ seconds: 0, cpuBound: true });
    await finished(created.body.id);
    const g = h.gateway.url;
    const succeeded = () => metricValue(g, 'conveyor_tasks', 'type="demo.work",status="succeeded"');
    // Other specs' leftovers may finish meanwhile: the count only grows, so it lies between two scrapes.
    const before = await succeeded();
    const { rows } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tasks WHERE type = 'demo.work' AND status = 'succeeded'`,
    );
    const after = await succeeded();
    expect(before).toBeGreaterThanOrEqual(1);
    expect(rows[0].n).toBeGreaterThanOrEqual(before!);
    expect(rows[0].n).toBeLessThanOrEqual(after!);
    expect(await metricValue(g, 'conveyor_tasks', 'type="demo.work",status="dead"')).toBeGreaterThanOrEqual(
      0,
    );
    expect(await metricValue(g, 'conveyor_outbox_backlog')).toBeGreaterThanOrEqual(0);
    expect(await metricValue(g, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    const w = h.worker!.url;
    expect(
      await metricValue(w, 'conveyor_task_attempt_duration_seconds_count', 'kind="cpu",outcome="succeeded"'),
    ).toBeGreaterThanOrEqual(1);
    expect(await metricValue(w, 'conveyor_cpu_pool_utilization')).toBeGreaterThanOrEqual(0);
    expect(await metricValue(w, 'conveyor_consumer_in_flight', 'queue="conveyor.tasks.normal.cpu"')).toBe(0);
    expect(await metricValue(w, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });
});

describe('cancelling a task that has not started', () => {
  beforeAll(async () => {
    await h.worker?.stop();
    h.worker = undefined;
  });

  it('cancels a queued task, and no worker runs it afterwards', async () => {
    const created = await submit({ seconds: 0, cpuBound: false });
    await waitForTask(h.gateway.url, created.body.id, 'queued');
    const cancel = await request(h.gateway.url, 'PATCH', `/tasks/${created.body.id}`, {
      status: 'cancelled',
    });
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    expect(cancel.body.finishedAt).not.toBeNull();

    // Its message is still in the queue: a worker takes it and must drop it without running it.
    h.worker = await startApp('worker', h.env);
    // A task queued behind it on the same queue finishing means the worker has taken the cancelled one.
    const marker = await submit({ seconds: 0, cpuBound: false });
    expect((await waitForTask(h.gateway.url, marker.body.id, 'terminal')).status).toBe('succeeded');
    const after = await request(h.gateway.url, 'GET', `/tasks/${created.body.id}`);
    expect(after.body.status).toBe('cancelled');
    expect(after.body.startedAt).toBeNull();
    expect(after.body.result).toBeNull();
  });

  it('rejects an illegal change of status', async () => {
    const created = await submit({ seconds: 0, cpuBound: false });
    const res = await request(h.gateway.url, 'PATCH', `/tasks/${created.body.id}`, { status: 'succeeded' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/status must be one of the following values: cancelled/);
  });
});
