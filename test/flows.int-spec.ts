import { harness, readSse, request, waitFor } from './support';

/**
 * Flows as a client uses them: a diamond runs in order and hands results down, a failed parent
 * cancels what needs it and a retry of it runs them after all, `ignore` runs a child anyway, a
 * 1,000-task fan-out/fan-in completes with its join starting within a second of its last parent,
 * DELETE stops a running flow, and bad flows are refused naming the problem, writing nothing.
 */
const h = harness({ workerEnv: { WORKER_CPU_THREADS: '2' } });

interface Node {
  key: string;
  taskId: string;
  status: string;
  dependsOn: string[];
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: { code: string; message: string } | null;
}
interface Flow {
  id: string;
  status: string;
  taskCount: number;
  counts: Record<string, number>;
  tasks: Node[];
}

const work = (value: number, extra: object = {}) => ({
  type: 'demo.work',
  payload: { seconds: 0.2, cpuBound: false, value, ...extra },
});
const created: string[] = [];

async function createFlow(body: unknown): Promise<Flow> {
  const res = await request<Flow>(h.gateway.url, 'POST', '/flows', body);
  expect(res.status).toBe(201);
  created.push(res.body.id);
  return res.body;
}

async function flowUntil(id: string, done: (f: Flow) => boolean, ms = 60_000): Promise<Flow> {
  return waitFor(
    `flow ${id} as expected`,
    async () => {
      const res = await request<Flow>(h.gateway.url, 'GET', `/flows/${id}`);
      expect(res.status).toBe(200);
      return done(res.body) ? res.body : undefined;
    },
    ms,
    100,
  );
}

const node = (f: Flow, key: string) => f.tasks.find((t) => t.key === key)!;
const at = (iso: string | null) => Date.parse(iso ?? 'invalid');

async function task(id: string) {
  return (await request(h.gateway.url, 'GET', `/tasks/${id}`)).body;
}

async function counts(): Promise<{ flows: number; tasks: number; edges: number }> {
  const { rows } = await h.db.query<{ flows: number; tasks: number; edges: number }>(
    `SELECT (SELECT count(*)::int FROM flows) AS flows, (SELECT count(*)::int FROM tasks) AS tasks,
       (SELECT count(*)::int FROM task_parents) AS edges`,
  );
  return rows[0];
}

const DIAMOND = (b: object = {}) => ({
  name: 'spec-diamond',
  tasks: [
    { key: 'a', ...work(1) },
    { key: 'b', ...work(2, b), maxAttempts: 1, dependsOn: ['a'] },
    { key: 'c', ...work(3), dependsOn: ['a'] },
    { key: 'd', ...work(4), dependsOn: ['b', 'c'] },
  ],
});

describe('flows', () => {
  // A flow a failed test left running would hold tasks under later specs.
  afterAll(async () => {
    for (const id of created)
      expect((await request(h.gateway.url, 'DELETE', `/flows/${id}`)).status).toBe(200);
  });

  it('runs a diamond in order: d starts after b and c succeeded and sees both results; its stream shows it', async () => {
    const flow = await createFlow(DIAMOND());
    expect(flow).toMatchObject({ name: 'spec-diamond', status: 'running', taskCount: 4 });
    expect(node(flow, 'a').status).toBe('pending');
    expect(['b', 'c', 'd'].map((k) => node(flow, k).status)).toEqual(['waiting', 'waiting', 'waiting']);
    expect(node(flow, 'd').dependsOn).toEqual(['b', 'c']);
    const stream = readSse(`${h.gateway.url}/flows/${flow.id}/events`, 60_000);

    const done = await flowUntil(flow.id, (f) => f.status !== 'running');
    expect(done.status).toBe('succeeded');
    expect(done.counts).toEqual({ succeeded: 4 });
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((k) => node(done, k));
    expect(at(b.startedAt)).toBeGreaterThanOrEqual(at(a.finishedAt));
    expect(at(c.startedAt)).toBeGreaterThanOrEqual(at(a.finishedAt));
    expect(at(d.startedAt)).toBeGreaterThanOrEqual(Math.max(at(b.finishedAt), at(c.finishedAt)));
    const dTask = await task(d.taskId);
    // d's value 4, plus b's sum (2 + a's 1) and c's sum (3 + 1).
    expect(dTask.result).toMatchObject({ sum: 11, parents: ['b', 'c'] });
    expect(dTask).toMatchObject({ flowId: flow.id, flowKey: 'd', status: 'succeeded' });

    const events = (await stream).events;
    expect(events[0]).toMatchObject({ event: 'flow', data: { id: flow.id } });
    expect(events[events.length - 1]).toMatchObject({ event: 'flow', data: { status: 'succeeded' } });
    const dEvents = events.filter((e) => e.event === 'task' && e.data.key === 'd').map((e) => e.data.status);
    expect(dEvents[dEvents.length - 1]).toBe('succeeded');
  });

  it('cancels d when b fails, refuses to retry d alone, and runs d once b is retried', async () => {
    // b's first attempt fails (retryable, but it has only one); a retry is its second attempt, which succeeds.
    const flow = await createFlow(DIAMOND({ failAttempts: 1 }));
    const failed = await flowUntil(flow.id, (f) => f.status !== 'running');
    expect(failed.status).toBe('failed');
    expect(failed.counts).toEqual({ succeeded: 2, failed: 1, cancelled: 1 });
    const b = node(failed, 'b');
    const d = node(failed, 'd');
    expect(d.status).toBe('cancelled');
    expect(d.startedAt).toBeNull();
    expect(d.error?.code).toBe('PARENT_FAILED');
    expect(d.error?.message).toContain(`parent b (task ${b.taskId}) ended failed`);

    const alone = await request(h.gateway.url, 'POST', `/tasks/${d.taskId}/retry`);
    expect(alone.status).toBe(409);
    expect(alone.body.message).toContain(`b (task ${b.taskId}, failed)`);

    const retried = await request(h.gateway.url, 'POST', `/tasks/${b.taskId}/retry`);
    expect(retried.status).toBe(200);
    expect(node(await flowUntil(flow.id, () => true), 'd').status).toBe('waiting');
    const done = await flowUntil(flow.id, (f) => f.status !== 'running');
    expect(done.status).toBe('succeeded');
    const dTask = await task(d.taskId);
    expect(dTask.result).toMatchObject({ sum: 11, parents: ['b', 'c'] });
    expect(at(dTask.startedAt)).toBeGreaterThanOrEqual(at(node(done, 'b').finishedAt));
  });

  it('runs an ignore child anyway and cancels what needs the failed parent, naming the cancelled one', async () => {
    const flow = await createFlow({
      tasks: [
        { key: 'load', ...work(1, { fail: true }), maxAttempts: 1 },
        { key: 'report', ...work(5), dependsOn: ['load'], onParentFailure: 'ignore' },
        { key: 'x', ...work(1), dependsOn: ['load'] },
        { key: 'y', ...work(1), dependsOn: ['x'] },
      ],
    });
    const done = await flowUntil(flow.id, (f) => f.status !== 'running');
    expect(done.status).toBe('failed');
    expect(node(done, 'report').status).toBe('succeeded');
    // The failed parent has no result to hand down: only the report's own value.
    expect((await task(node(done, 'report').taskId)).result).toMatchObject({ sum: 5, parents: [] });
    expect(node(done, 'x')).toMatchObject({ status: 'cancelled', error: { code: 'PARENT_FAILED' } });
    expect(node(done, 'y').error?.message).toContain(
      `parent x (task ${node(done, 'x').taskId}) ended cancelled`,
    );
  });

  it('a retried parent makes its waiting ignore child wait for it again, so the child sees its result', async () => {
    const flow = await createFlow({
      tasks: [
        // p fails after 2 s; retried then, it succeeds 2 s later, after q (3 s) finished: x must wait for it.
        { key: 'p', ...work(1, { seconds: 2, failAttempts: 1 }), maxAttempts: 1 },
        { key: 'q', type: 'demo.work', payload: { seconds: 3, cpuBound: false, value: 10 } },
        { key: 'x', ...work(100), dependsOn: ['p', 'q'], onParentFailure: 'ignore' },
      ],
    });
    const p = node(flow, 'p').taskId;
    await waitFor('p to fail', async () => ((await task(p)).status === 'failed' ? true : undefined));
    expect((await request(h.gateway.url, 'POST', `/tasks/${p}/retry`)).status).toBe(200);
    const done = await flowUntil(flow.id, (f) => f.status !== 'running');
    expect(done.status).toBe('succeeded');
    const x = await task(node(done, 'x').taskId);
    expect(x.result).toMatchObject({ sum: 111, parents: ['p', 'q'] });
    expect(at(node(done, 'q').finishedAt)).toBeLessThan(at(node(done, 'p').finishedAt));
    expect(at(x.startedAt)).toBeGreaterThanOrEqual(at(node(done, 'p').finishedAt));
  });

  it('cancelling a running task cancels what needs it and releases what ignores it', async () => {
    const flow = await createFlow({
      tasks: [
        { key: 'a', type: 'demo.work', payload: { seconds: 60, cpuBound: false } },
        { key: 'b', ...work(1), dependsOn: ['a'] },
        { key: 'c', ...work(2), dependsOn: ['b'] },
        { key: 'cleanup', ...work(3), dependsOn: ['a'], onParentFailure: 'ignore' },
      ],
    });
    const a = node(flow, 'a').taskId;
    await waitFor('a to run', async () => ((await task(a)).status === 'running' ? true : undefined));
    const res = await request(h.gateway.url, 'PATCH', `/tasks/${a}`, { status: 'cancelled' });
    expect(res.status).toBe(200);
    const done = await flowUntil(flow.id, (f) => f.status !== 'running');
    expect(done.status).toBe('cancelled');
    expect(node(done, 'b').error?.message).toContain(`parent a (task ${a}) ended cancelled`);
    expect(node(done, 'c').error?.message).toContain(
      `parent b (task ${node(done, 'b').taskId}) ended cancelled`,
    );
    expect(node(done, 'cleanup').status).toBe('succeeded');
    expect((await task(node(done, 'cleanup').taskId)).result).toMatchObject({ sum: 3, parents: [] });
  });

  it('completes a 1,000-task fan-out/fan-in; the join starts within 1 s of its last parent', async () => {
    const middle = Array.from({ length: 998 }, (_, i) => ({
      key: `m${i}`,
      type: 'demo.work',
      // Both lanes: their report batches commit side by side, so the join's count is updated concurrently.
      priority: i % 2 ? 'high' : 'normal',
      payload: { seconds: 0, cpuBound: false, value: 1 },
      dependsOn: ['root'],
    }));
    const flow = await createFlow({
      name: 'spec-fan',
      tasks: [
        { key: 'root', type: 'demo.work', payload: { seconds: 0, cpuBound: false } },
        ...middle,
        {
          key: 'join',
          type: 'demo.work',
          payload: { seconds: 0, cpuBound: false },
          dependsOn: middle.map((m) => m.key),
        },
      ],
    });
    expect(flow.taskCount).toBe(1000);
    const done = await flowUntil(flow.id, (f) => f.status !== 'running', 180_000);
    expect(done.counts).toEqual({ succeeded: 1000 });
    const join = node(done, 'join');
    const lastParent = Math.max(
      ...done.tasks.filter((t) => t.key.startsWith('m')).map((t) => at(t.finishedAt)),
    );
    expect(at(join.startedAt)).toBeGreaterThanOrEqual(lastParent);
    expect(at(join.startedAt) - lastParent).toBeLessThan(1000);
    expect((await task(join.taskId)).result).toMatchObject({ sum: 998 });
  });

  it('DELETE cancels every unfinished task and stops the running one', async () => {
    const flow = await createFlow({
      tasks: [
        { key: 'long', type: 'demo.work', payload: { seconds: 60, cpuBound: false } },
        { key: 'after', ...work(1), dependsOn: ['long'] },
      ],
    });
    const long = node(flow, 'long').taskId;
    await waitFor('the long task to run', async () =>
      (await task(long)).status === 'running' ? true : undefined,
    );
    const res = await request<Flow>(h.gateway.url, 'DELETE', `/flows/${flow.id}`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    expect(res.body.tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
    // The worker stopped the attempt (it would have run for a minute).
    await waitFor('the attempt to end cancelled', async () => {
      const attempts = (await request(h.gateway.url, 'GET', `/tasks/${long}/attempts`)).body.items;
      return attempts[0]?.status === 'cancelled' ? true : undefined;
    });
    expect((await task(long)).status).toBe('cancelled');
  });

  it('creates one flow per Idempotency-Key, even under 10 concurrent requests; another body with it is 422', async () => {
    const key = `flow-${Date.now()}`;
    const body = {
      name: 'spec-idempotent',
      tasks: [
        { key: 'a', ...work(1) },
        { key: 'b', ...work(2), dependsOn: ['a'] },
      ],
    };
    const replies = await Promise.all(
      Array.from({ length: 10 }, () =>
        request<Flow>(h.gateway.url, 'POST', '/flows', body, { 'idempotency-key': key }),
      ),
    );
    const ids = new Set(replies.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    created.push(...ids);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n FROM tasks WHERE flow_id = ANY($1::uuid[])`,
      [[...ids]],
    );
    expect(rows[0].n).toBe(2);
    const other = await request(
      h.gateway.url,
      'POST',
      '/flows',
      { ...body, name: 'other' },
      { 'idempotency-key': key },
    );
    expect(other.status).toBe(422);
    expect(other.body.message).toContain(`already used for flow ${[...ids][0]}`);
    const bad = await request(h.gateway.url, 'POST', '/flows', body, { 'idempotency-key': 'has space' });
    expect(bad.status).toBe(400);
  });

  it('lists flows and answers 404 for an unknown one', async () => {
    const list = await request(h.gateway.url, 'GET', '/flows?limit=100');
    expect(list.status).toBe(200);
    const mine = (list.body.items as Flow[]).filter((f) => created.includes(f.id));
    expect(mine.length).toBe(created.length);
    expect(mine.every((f) => f.taskCount > 0 && Object.keys(f.counts).length > 0)).toBe(true);
    const missing = await request(h.gateway.url, 'GET', '/flows/00000000-0000-7000-8000-000000000000');
    expect(missing.status).toBe(404);
  });

  it('refuses bad flows with a 400 naming the problem, writing nothing', async () => {
    const before = await counts();
    const ok = { key: 'a', ...work(1) };
    const cases: [unknown, string][] = [
      [
        {
          tasks: [ok, { key: 'b', ...work(1), dependsOn: ['c'] }, { key: 'c', ...work(1), dependsOn: ['b'] }],
        },
        'cycle b → c → b',
      ],
      [
        { tasks: [ok, { key: 'b', ...work(1), dependsOn: ['nope'] }] },
        "tasks[1].dependsOn: unknown key 'nope'",
      ],
      [{ tasks: [ok, { ...ok }] }, "tasks[1].key: duplicate key 'a'"],
      [
        { tasks: [ok, { key: 'b', type: 'no.such', payload: {} }] },
        "tasks[1].type: unknown task type 'no.such'",
      ],
      [
        { tasks: [ok, { key: 'b', type: 'demo.work', payload: { seconds: -1, cpuBound: false } }] },
        'tasks[1].',
      ],
      [{ tasks: [{ ...ok, key: 'bad key' }] }, 'key must be'],
      [{ tasks: [] }, 'at least one task'],
      [{ tasks: Array.from({ length: 1001 }, (_, i) => ({ ...ok, key: `k${i}` })) }, 'at most 1000 tasks'],
      [{ tasks: [{ ...ok, onParentFailure: 'maybe' }] }, 'onParentFailure'],
    ];
    for (const [body, problem] of cases) {
      const res = await request(h.gateway.url, 'POST', '/flows', body);
      expect({ status: res.status, named: String(res.body.message).includes(problem) }).toEqual({
        status: 400,
        named: true,
      });
    }
    expect(await counts()).toEqual(before);
  });
});
