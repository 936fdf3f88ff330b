import fc from 'fast-check';
import { harness, request } from './support';

/**
 * Property-based bad input against every endpoint (tasks, users, ID batches, schedules, flows): whatever a client sends, the answer is never
 * a 5xx, and a rejected request writes nothing.
 */
const h = harness({ worker: false });
const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

interface Snapshot {
  tasks: number;
  outbox: number;
  attempts: number;
  lastUpdate: string | null;
  users: string | null;
  batches: string | null;
}

async function snapshot(): Promise<Snapshot> {
  const { rows } = await h.db.query<Snapshot>(
    `SELECT (SELECT count(*)::int FROM tasks) AS tasks, (SELECT count(*)::int FROM outbox) AS outbox,
       (SELECT count(*)::int FROM task_attempts) AS attempts, (SELECT max(updated_at)::text FROM tasks) AS "lastUpdate",
       (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM users) AS users,
       (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM id_batches) AS batches`,
  );
  return rows[0];
}

interface Sent {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sends one request and checks the property; throws (so fast-check shrinks it) when it fails. */
async function holds(sent: Sent): Promise<boolean> {
  const before = await snapshot();
  const res = await request(h.gateway.url, sent.method, sent.path, sent.body, sent.headers);
  if (res.status >= 500)
    throw new Error(`${sent.method} ${sent.path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  if (res.status >= 400) {
    expect(typeof res.body?.message).toBe('string');
    expect(await snapshot()).toEqual(before);
  }
  return true;
}

/**
 * What no ordinary JSON generator makes but any client can send: NUL and other control
 * characters, lone surrogates (every UTF-16 code unit), prototype keys, nesting far past any
 * sane depth, numbers at the edge of a double.
 */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\udbff', '\u0007\u001b', '\ufeff'),
);
const deeplyNested = fc
  .integer({ min: 60, max: 3000 })
  .chain((depth) => fc.constant(Array.from({ length: depth }).reduce<unknown>((inner) => [inner], 1)));
const hostile = fc.oneof(
  hostileString,
  deeplyNested,
  fc.constantFrom(1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -(2 ** 31) - 1),
  fc.dictionary(
    fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype')),
    hostileString,
    {
      maxKeys: 2,
    },
  ),
);
const json = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: hostile },
);
/** A valid task body with some fields replaced by anything, or dropped, or joined by strangers. */
const nearTask = fc
  .record(
    {
      type: fc.oneof(fc.constant('demo.work'), json),
      payload: fc.oneof(
        fc.record(
          { seconds: fc.oneof(fc.double(), json), cpuBound: fc.oneof(fc.boolean(), json), fail: json },
          { requiredKeys: [] },
        ),
        json,
      ),
      priority: fc.oneof(fc.constantFrom('high', 'normal', 'urgent'), json),
      runAt: fc.oneof(
        fc.date({ noInvalidDate: false }).map((d) => (isNaN(d.getTime()) ? 'not a date' : d.toISOString())),
        json,
      ),
      delaySeconds: fc.oneof(fc.integer(), json),
      maxAttempts: fc.oneof(fc.integer({ min: -5, max: 50 }), json),
      extra: json,
    },
    { requiredKeys: [] },
  )
  .map((body) => body as Record<string, unknown>);
const rawBody = fc.oneof(
  fc.string(),
  fc.constantFrom('{', '[]', 'null', '{"type":', '\u0000', '{"a":1}}', '{"__proto__":{}}', '"\\ud800"'),
  fc.integer({ min: 60, max: 600_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
);
const contentType = fc.constantFrom(
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/xml',
);
const idSegment = fc.oneof(
  fc.uuid(),
  fc.string({ minLength: 1 }),
  // (a URL cannot carry a lone surrogate: encodeURIComponent refuses one)
  fc.constantFrom('0', '-1', '..', '%00', 'null', '1e3', '0x10', '\u0000'),
);
const headerValue = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_:/ %{}"'.split('')), maxLength: 300 });

describe('property-based bad input (fast-check)', () => {
  let victim: string;

  const started = new Date();

  afterAll(async () => {
    // A generated body may be valid: cancel what it created, so later specs' workers never run it.
    const batches = await h.db.query<{ id: string }>('SELECT id FROM id_batches WHERE cancelled_at IS NULL');
    for (const { id } of batches.rows) {
      expect((await request(h.gateway.url, 'DELETE', `/id-batches/${id}`)).status).toBe(200);
    }
    const tasks = await h.db.query<{ id: string }>(
      `SELECT id FROM tasks WHERE created_at >= $1 AND status IN ('pending', 'queued', 'retrying', 'running')`,
      [started],
    );
    for (const { id } of tasks.rows) {
      expect((await request(h.gateway.url, 'PATCH', `/tasks/${id}`, { status: 'cancelled' })).status).toBe(
        200,
      );
    }
  });

  beforeAll(async () => {
    // A task far in the future: PATCH and retry probes aim at a real row that must not change.
    const res = await request(h.gateway.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 0, cpuBound: false },
      delaySeconds: 86_400,
    });
    expect(res.status).toBe(201);
    victim = res.body.id;
  });

  it('POST /tasks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(nearTask, json), headerValue, (body, key) =>
        holds({ method: 'POST', path: '/tasks', body, headers: { 'idempotency-key': key } }),
      ),
      { numRuns: RUNS },
    );
  });

  it('POST /tasks with raw bodies and content types', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, contentType, (body, type) =>
        holds({ method: 'POST', path: '/tasks', body, headers: { 'content-type': type } }),
      ),
      { numRuns: RUNS },
    );
  });

  it('POST /tasks/batch', async () => {
    const batch = fc.oneof(fc.record({ items: fc.array(fc.oneof(nearTask, json), { maxLength: 4 }) }), json);
    await fc.assert(
      fc.asyncProperty(batch, (body) => holds({ method: 'POST', path: '/tasks/batch', body })),
      { numRuns: RUNS },
    );
  });

  it('GET /tasks with any query', async () => {
    const queryValue = fc.oneof(
      fc.string({ maxLength: 40 }),
      hostileString,
      fc.constantFrom('0x10', '1e1', '+5', '5.0', ' 7', '99999999999999999999'),
    );
    const key = fc.oneof(fc.constantFrom('status', 'type', 'limit', 'offset'), fc.string({ maxLength: 10 }));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, queryValue, { maxKeys: 4 }), (query) =>
        holds({ method: 'GET', path: `/tasks?${new URLSearchParams(query).toString()}` }),
      ),
      { numRuns: RUNS },
    );
  });

  it('GET /tasks/:id, its attempts, its events, and retry, with any id', async () => {
    const route = fc.constantFrom(
      (id: string) => ({ method: 'GET', path: `/tasks/${id}` }),
      (id: string) => ({ method: 'GET', path: `/tasks/${id}/attempts` }),
      (id: string) => ({ method: 'GET', path: `/tasks/${id}/events` }),
      (id: string) => ({ method: 'POST', path: `/tasks/${id}/retry` }),
    );
    await fc.assert(
      fc.asyncProperty(route, idSegment, (to, id) => holds(to(encodeURIComponent(id)))),
      { numRuns: RUNS },
    );
  });

  it('PATCH /tasks/:id with any body, on a real task and on any id', async () => {
    const body = fc.oneof(
      json,
      fc.record({ status: fc.oneof(fc.constantFrom('queued', 'succeeded', 'CANCELLED', 'cancel'), json) }),
      fc.record({ status: fc.constant('cancelled'), extra: json }),
    );
    await fc.assert(
      fc.asyncProperty(fc.boolean(), idSegment, body, (onVictim, id, b) =>
        holds({ method: 'PATCH', path: `/tasks/${onVictim ? victim : encodeURIComponent(id)}`, body: b }),
      ),
      { numRuns: RUNS },
    );
    // Retrying a pending task is refused and changes nothing.
    await holds({ method: 'POST', path: `/tasks/${victim}/retry` });
    expect((await request(h.gateway.url, 'GET', `/tasks/${victim}`)).body.status).toBe('pending');
  });

  it('the users endpoints', async () => {
    const existing = await request(h.gateway.url, 'POST', '/users', {
      name: 'Victim',
      email: `victim-${Date.now()}@example.com`,
    });
    expect(existing.status).toBe(201);
    const body = fc.oneof(
      json,
      fc.record(
        {
          id: fc.oneof(fc.integer(), json),
          name: fc.oneof(fc.string(), json),
          email: fc.oneof(fc.emailAddress(), fc.string(), json),
          extra: json,
        },
        { requiredKeys: [] },
      ),
    );
    const route = fc.constantFrom(
      (_id: string) => ({ method: 'POST', path: '/users' }),
      (id: string) => ({ method: 'GET', path: `/users/${id}` }),
      (id: string) => ({ method: 'PUT', path: `/users/${id}` }),
      (id: string) => ({ method: 'PATCH', path: `/users/${id}` }),
      (id: string) => ({ method: 'DELETE', path: `/users/${id}` }),
    );
    const id = fc.oneof(fc.constant(String(existing.body.id)), fc.integer().map(String), idSegment);
    await fc.assert(
      fc.asyncProperty(route, id, body, (to, i, b) => {
        const r = to(encodeURIComponent(i));
        // A valid request may succeed (and write); the property is about the rejected ones.
        return holds({ ...r, body: r.method === 'GET' || r.method === 'DELETE' ? undefined : b });
      }),
      { numRuns: RUNS },
    );
  });

  it('the schedule endpoints', async () => {
    const schedules = async () =>
      (
        await h.db.query<{ s: string }>(
          `SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') AS s FROM schedules`,
        )
      ).rows[0].s;
    const existing = await request(h.gateway.url, 'POST', '/schedules', {
      name: `victim-${Date.now()}`,
      everySeconds: 3600,
      startAt: new Date(Date.now() + 86_400_000).toISOString(),
      task: { type: 'demo.work', payload: { seconds: 0, cpuBound: false } },
    });
    expect(existing.status).toBe(201);
    const body = fc.oneof(
      json,
      fc.record(
        {
          name: fc.oneof(fc.string({ maxLength: 210 }), json),
          cron: fc.oneof(fc.constantFrom('* * * * *', '*/5 * * * * *', '61 * * * *', 'nope', '* * *'), json),
          everySeconds: fc.oneof(fc.integer({ min: -5, max: 40_000_000 }), fc.double(), json),
          timezone: fc.oneof(fc.constantFrom('UTC', 'Europe/Madrid', 'Mars/Olympus', ''), json),
          task: fc.oneof(nearTask, json),
          overlap: fc.oneof(fc.constantFrom('skip', 'allow', 'never'), json),
          catchUp: fc.oneof(fc.constantFrom('none', 'latest', 'all', 'some'), json),
          // Never now: a schedule a valid body creates must not tick under the later probes.
          startAt: fc.oneof(fc.constant(new Date(Date.now() + 86_400_000).toISOString()), json),
          endAt: fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            json,
          ),
          paused: fc.oneof(fc.boolean(), json),
          extra: json,
        },
        { requiredKeys: [] },
      ),
    );
    const route = fc.constantFrom(
      (_id: string) => ({ method: 'POST', path: '/schedules' }),
      (id: string) => ({ method: 'GET', path: `/schedules/${id}` }),
      (id: string) => ({ method: 'PATCH', path: `/schedules/${id}` }),
      (id: string) => ({ method: 'DELETE', path: `/schedules/${id}` }),
    );
    const id = fc.oneof(fc.constant(String(existing.body.id)), idSegment);
    await fc.assert(
      fc.asyncProperty(route, id, body, async (to, i, b) => {
        const r = to(i === existing.body.id ? i : encodeURIComponent(i));
        const sent = { ...r, body: r.method === 'POST' || r.method === 'PATCH' ? b : undefined };
        const before = await schedules();
        const res = await request(h.gateway.url, sent.method, sent.path, sent.body);
        if (res.status >= 500) throw new Error(`${sent.method} ${sent.path} answered ${res.status}`);
        if (res.status >= 400) expect(await schedules()).toBe(before);
        // A valid body made a schedule: it goes at once (it would tick under later specs).
        if (r.method === 'POST' && res.status === 201)
          expect((await request(h.gateway.url, 'DELETE', `/schedules/${res.body.id}`)).status).toBe(204);
        return true;
      }),
      { numRuns: RUNS },
    );
    await request(h.gateway.url, 'DELETE', `/schedules/${existing.body.id}`);
  });

  it('the flow endpoints', async () => {
    const written = async () =>
      (
        await h.db.query<{ s: string }>(
          `SELECT (SELECT count(*) FROM flows) || '/' || (SELECT count(*) FROM task_parents) || '/' ||
             (SELECT count(*) FROM tasks) || '/' || (SELECT count(*) FROM outbox) AS s`,
        )
      ).rows[0].s;
    // Small graphs over few keys, so cycles, self and unknown dependencies and duplicates all come up.
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'bad key', '');
    const flowTask = fc.record(
      {
        key: fc.oneof({ weight: 4, arbitrary: key }, json),
        type: fc.oneof({ weight: 4, arbitrary: fc.constant('demo.work') }, json),
        payload: fc.oneof(
          { weight: 4, arbitrary: fc.constant({ seconds: 0, cpuBound: false }) },
          fc.record({ seconds: fc.oneof(fc.double(), json), cpuBound: json }, { requiredKeys: [] }),
        ),
        dependsOn: fc.oneof({ weight: 4, arbitrary: fc.array(key, { maxLength: 3 }) }, json),
        onParentFailure: fc.oneof(fc.constantFrom('cancel', 'ignore', 'retry'), json),
        maxAttempts: fc.oneof(fc.integer({ min: -1, max: 25 }), json),
      },
      { requiredKeys: ['key'] },
    );
    const body = fc.oneof(
      json,
      fc.record(
        {
          name: fc.oneof(fc.string({ maxLength: 210 }), json),
          tasks: fc.oneof(fc.array(flowTask, { maxLength: 5 }), json),
        },
        { requiredKeys: ['tasks'] },
      ),
    );
    const route = fc.constantFrom(
      (_id: string) => ({ method: 'POST', path: '/flows' }),
      (id: string) => ({ method: 'GET', path: `/flows/${id}` }),
      (id: string) => ({ method: 'DELETE', path: `/flows/${id}` }),
    );
    await fc.assert(
      fc.asyncProperty(route, idSegment, body, async (to, i, b) => {
        const r = to(encodeURIComponent(i));
        const sent = { ...r, body: r.method === 'POST' ? b : undefined };
        const before = await written();
        const res = await request(h.gateway.url, sent.method, sent.path, sent.body);
        if (res.status >= 500) throw new Error(`${sent.method} ${sent.path} answered ${res.status}`);
        if (res.status >= 400) {
          expect(typeof res.body?.message).toBe('string');
          expect(await written()).toBe(before);
        }
        // A valid flow was made: cancel it at once, so no later spec's worker runs it.
        if (r.method === 'POST' && res.status === 201)
          expect((await request(h.gateway.url, 'DELETE', `/flows/${res.body.id}`)).status).toBe(200);
        return true;
      }),
      { numRuns: RUNS },
    );
  });

  it('the ID batch endpoints', async () => {
    const body = fc.oneof(
      json,
      fc.record(
        {
          ids: fc.oneof(fc.array(fc.oneof(fc.integer(), json), { maxLength: 6 }), json),
          range: fc.oneof(
            fc.record({ from: fc.oneof(fc.integer(), json), to: fc.oneof(fc.integer(), json) }),
            json,
          ),
          rpm: fc.oneof(fc.integer({ min: -2, max: 20_000 }), json),
          startAt: fc.oneof(
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
            json,
          ),
        },
        { requiredKeys: [] },
      ),
    );
    const route = fc.constantFrom(
      (_id: string) => ({ method: 'POST', path: '/id-batches' }),
      (id: string) => ({ method: 'GET', path: `/id-batches/${id}` }),
      (id: string) => ({ method: 'GET', path: `/id-batches/${id}/slots?limit=0` }),
      (id: string) => ({ method: 'PATCH', path: `/id-batches/${id}` }),
      (id: string) => ({ method: 'DELETE', path: `/id-batches/${id}` }),
    );
    await fc.assert(
      fc.asyncProperty(route, idSegment, body, (to, i, b) => {
        const r = to(encodeURIComponent(i));
        return holds({ ...r, body: r.method === 'POST' || r.method === 'PATCH' ? b : undefined });
      }),
      { numRuns: RUNS },
    );
  });
});
