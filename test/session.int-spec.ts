import { adminKey, harness, request, waitFor } from './support';

/**
 * The console's login: an API key in, an HttpOnly SameSite=Strict cookie out; the cookie then
 * stands for the bearer key, and a change made with it must come from this gateway's own pages.
 */
const h = harness({ worker: false });

interface Answer {
  status: number;
  body: Record<string, unknown>;
  cookie: string | null;
}

/** A request as a browser sends it: no Authorization header, maybe a cookie and an Origin. */
async function browser(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${h.gateway.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    cookie: res.headers.get('set-cookie'),
  } satisfies Answer;
}

const task = { type: 'demo.work', payload: { seconds: 0, cpuBound: false }, delaySeconds: 3600 };

describe('console session', () => {
  let origin: string;
  beforeAll(() => {
    origin = new URL(h.gateway.url).origin;
  });

  it('refuses a wrong key with a 401 and sets no cookie', async () => {
    const wrong = await browser('POST', '/session', { origin }, { key: 'cvk_not-a-key' });
    expect([wrong.status, wrong.cookie]).toEqual([401, null]);
    expect(wrong.body.message).toBe('the API key is not valid (unknown, revoked or expired)');
    const bad = await browser('POST', '/session', { origin }, { key: 'has space' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('key must be 1 to 200 visible ASCII characters');
    const elsewhere = await browser(
      'POST',
      '/session',
      { origin: 'https://evil.example' },
      { key: adminKey() },
    );
    expect([elsewhere.status, elsewhere.cookie]).toEqual([403, null]);
  });

  it('logs in to an HttpOnly SameSite=Strict cookie that reads and, from this origin only, writes', async () => {
    const login = await browser('POST', '/session', { origin }, { key: adminKey() });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ scopes: ['admin'] });
    const cookie = login.cookie!;
    expect(cookie).toMatch(/^conveyor_key=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    const session = cookie.split(';')[0];

    expect((await browser('GET', '/session', { cookie: session })).body).toMatchObject({ scopes: ['admin'] });
    expect((await browser('GET', '/tasks?limit=1', { cookie: session })).status).toBe(200);

    // A change with the cookie: only with an Origin naming this gateway.
    const noOrigin = await browser('POST', '/tasks', { cookie: session }, task);
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.body.message).toContain('must come from this gateway');
    const foreign = await browser(
      'POST',
      '/tasks',
      { cookie: session, origin: 'https://evil.example' },
      task,
    );
    expect(foreign.status).toBe(403);
    const own = await browser('POST', '/tasks', { cookie: session, origin }, task);
    expect(own.status).toBe(201);
    // A bearer key needs no Origin: a browser never sends one on its own.
    expect((await request(h.gateway.url, 'POST', '/tasks', task)).status).toBe(201);

    const out = await browser('DELETE', '/session', { cookie: session, origin });
    expect(out.status).toBe(204);
    expect(out.cookie).toMatch(/^conveyor_key=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/);
  });

  it("gives a read-only key's session reads and no writes, and follows the key's revocation", async () => {
    const made = await request(h.gateway.url, 'POST', '/api-keys', {
      name: 'console viewer',
      scopes: ['tasks:read'],
    });
    expect(made.status).toBe(201);
    const login = await browser('POST', '/session', { origin }, { key: made.body.key });
    expect(login.body).toMatchObject({ name: 'console viewer', scopes: ['tasks:read'] });
    const session = login.cookie!.split(';')[0];
    expect((await browser('GET', '/tasks?limit=1', { cookie: session })).status).toBe(200);
    expect((await browser('POST', '/tasks', { cookie: session, origin }, task)).status).toBe(403);

    expect((await request(h.gateway.url, 'DELETE', `/api-keys/${made.body.id}`)).status).toBe(204);
    // Revoked keys stop working on every gateway within AUTH_CACHE_MS.
    await waitFor('the revoked key to stop working', async () =>
      (await browser('GET', '/session', { cookie: session })).status === 401 ? true : undefined,
    );
    expect((await browser('GET', '/tasks?limit=1', { cookie: session })).status).toBe(401);
  });
});
