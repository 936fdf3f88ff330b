import { harness, request } from './support';

/**
 * Input a client can send that once answered 500 or held the event loop: NUL characters, lone
 * surrogates, prototype keys, deep nesting. Each is a 400 that says what is wrong, and nothing is written.
 */
const h = harness({ worker: false });

async function tableCounts(): Promise<string> {
  const { rows } = await h.db.query(
    `SELECT (SELECT count(*) FROM tasks) || '/' || (SELECT count(*) FROM outbox) || '/' ||
       (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM id_batches) AS n`,
  );
  return rows[0].n as string;
}

/** Sends a raw JSON text; expects a 400 whose message matches, and no row written anywhere. */
async function refused(method: string, path: string, text: string, message: RegExp): Promise<void> {
  const before = await tableCounts();
  const res = await request(h.gateway.url, method, path, text, { 'content-type': 'application/json' });
  expect([method, path, res.status]).toEqual([method, path, 400]);
  expect(res.body.message).toMatch(message);
  expect(await tableCounts()).toBe(before);
}

const nested = (depth: number) => `{"a":${'['.repeat(depth)}1${']'.repeat(depth)}}`;
const TASK = `{"type":"demo.work","payload":{"seconds":0,"cpuBound":false}}`;

describe('hostile input', () => {
  let user: number;
  let task: string;

  beforeAll(async () => {
    user = (
      await request(h.gateway.url, 'POST', '/users', { name: 'hostile', email: `h${Date.now()}@x.test` })
    ).body.id;
    // Due tomorrow: its outbox row stays put while the counts are compared.
    task = (await request(h.gateway.url, 'POST', '/tasks', { ...JSON.parse(TASK), delaySeconds: 86_400 }))
      .body.id;
  });

  afterAll(async () => {
    await request(h.gateway.url, 'PATCH', `/tasks/${task}`, { status: 'cancelled' });
  });

  it('refuses a NUL character in a body string, naming the field', async () => {
    const nul = '"a\\u0000b"';
    await refused('POST', '/users', `{"name":${nul},"email":"n@x.test"}`, /^name: must not contain NUL/);
    await refused('PATCH', `/users/${user}`, `{"name":${nul}}`, /^name: must not contain NUL/);
    await refused(
      'PUT',
      `/users/${user}`,
      `{"name":${nul},"email":"n@x.test"}`,
      /^name: must not contain NUL/,
    );
    await refused(
      'POST',
      '/tasks',
      `{"type":"demo.work","payload":{"seconds":0,"cpuBound":false,"note":${nul}}}`,
      /^payload\.note: must not contain NUL/,
    );
    await refused(
      'POST',
      '/tasks/batch',
      `{"items":[${TASK},{"type":${nul}}]}`,
      /^items\[1\]\.type: must not/,
    );
  });

  it('refuses a NUL character in a query parameter', async () => {
    const res = await request(h.gateway.url, 'GET', '/tasks?type=demo%00work');
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('query parameter type: must not contain NUL characters (\\u0000)');
  });

  it('refuses a lone surrogate, which jsonb cannot store', async () => {
    await refused(
      'POST',
      '/tasks',
      `{"type":"demo.work","payload":{"seconds":0,"cpuBound":false,"note":"\\ud800"}}`,
      /^payload\.note: must be valid Unicode/,
    );
    await refused('POST', '/users', `{"name":"\\udfff","email":"s@x.test"}`, /^name: must be valid Unicode/);
  });

  it('names a prototype key instead of calling the body invalid JSON', async () => {
    await refused(
      'POST',
      '/tasks',
      `{"__proto__":{"x":1},${TASK.slice(1)}`,
      /^__proto__: the key "__proto__" is not allowed/,
    );
    await refused(
      'POST',
      '/users',
      `{"name":"p","email":"p@x.test","constructor":{"prototype":{}}}`,
      /^constructor: the key "constructor" is not allowed/,
    );
  });

  it('refuses JSON nested 2,000 levels deep on every endpoint that takes a body', async () => {
    const routes: [string, string][] = [
      ['POST', '/tasks'],
      ['POST', '/tasks/batch'],
      ['PATCH', `/tasks/${task}`],
      ['POST', '/users'],
      ['PUT', `/users/${user}`],
      ['PATCH', `/users/${user}`],
      ['POST', '/id-batches'],
    ];
    for (const [method, path] of routes)
      await refused(method, path, nested(2000), /^body: nested deeper than 64 levels/);
    // 64 levels are still accepted as JSON (and then judged by the route's own rules)
    const ok = await request(h.gateway.url, 'POST', '/tasks', nested(63), {
      'content-type': 'application/json',
    });
    expect(ok.status).toBe(400);
    expect(ok.body.message).not.toMatch(/nested/);
  });

  it('answers a megabyte nested 524,000 levels deep at once, and /health meanwhile', async () => {
    const deep = '['.repeat(524_000) + ']'.repeat(524_000);
    const started = performance.now();
    const [res, health] = await Promise.all([
      request(h.gateway.url, 'POST', '/tasks', deep, { 'content-type': 'application/json' }),
      (async () => {
        const t = performance.now();
        const r = await request(h.gateway.url, 'GET', '/health');
        return { status: r.status, ms: performance.now() - t };
      })(),
    ]);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^body: nested deeper than 64 levels/);
    expect(health.status).toBe(200);
    // It was 2.5 s for the body and 2 s for the health check before the depth guard.
    expect(health.ms).toBeLessThan(500);
    console.log(
      `deep body: refused in ${(performance.now() - started).toFixed(0)} ms; /health meanwhile ${health.ms.toFixed(0)} ms`,
    );
  });

  it('reads integers in queries and paths as decimal digits only', async () => {
    for (const bad of ['0x10', '1e1', '+5', '5.0', ' 7', '0b11']) {
      const res = await request(h.gateway.url, 'GET', `/tasks?limit=${encodeURIComponent(bad)}`);
      expect([bad, res.status]).toEqual([bad, 400]);
      expect(res.body.message).toMatch(/limit must be an integer number/);
    }
    expect((await request(h.gateway.url, 'GET', '/tasks?limit=16&offset=0')).status).toBe(200);
    expect((await request(h.gateway.url, 'GET', '/users?offset=1e1')).body.message).toMatch(
      /offset must be an integer number/,
    );
    const path = await request(h.gateway.url, 'GET', '/users/1e3');
    expect(path.status).toBe(400);
    expect(path.body.message).toMatch(/^id must be an integer/);
  });

  it('refuses an Idempotency-Key reused with other parameters, and still answers a repeat', async () => {
    const key = `reuse-${Date.now()}`;
    const body = { type: 'demo.work', payload: { seconds: 0, cpuBound: false }, delaySeconds: 86_400 };
    const first = await request(h.gateway.url, 'POST', '/tasks', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const repeat = await request(
      h.gateway.url,
      'POST',
      '/tasks',
      { delaySeconds: 86_400, payload: { cpuBound: false, seconds: 0 }, type: 'demo.work' },
      { 'idempotency-key': key },
    );
    expect([repeat.status, repeat.body.id]).toEqual([200, first.body.id]);
    const before = await tableCounts();
    const other = await request(
      h.gateway.url,
      'POST',
      '/tasks',
      { ...body, payload: { seconds: 5, cpuBound: false } },
      { 'idempotency-key': key },
    );
    expect(other.status).toBe(422);
    expect(other.body.message).toBe(
      `Idempotency-Key was already used for task ${first.body.id} with other parameters; use a new key for a new request`,
    );
    expect(await tableCounts()).toBe(before);
    await request(h.gateway.url, 'PATCH', `/tasks/${first.body.id}`, { status: 'cancelled' });
  });
});
