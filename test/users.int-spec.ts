import { harness, request } from './support';

const h = harness({ worker: false });

async function userCount(): Promise<number> {
  return (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0].n;
}

describe('users', () => {
  const run = Date.now();
  const email = (tag: string) => `${tag}-${run}@example.com`;

  it('creates with your own id or an assigned one, and refuses a taken id or email with 409', async () => {
    const own = await request(h.gateway.url, 'POST', '/users', {
      id: 5_000_001,
      name: 'Ada',
      email: email('ada'),
    });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({
      id: 5_000_001,
      name: 'Ada',
      email: email('ada'),
      processCount: 0,
      lastProcessedAt: null,
    });
    const assigned = await request(h.gateway.url, 'POST', '/users', { name: 'Bob', email: email('bob') });
    expect(assigned.status).toBe(201);
    expect(Number.isInteger(assigned.body.id)).toBe(true);

    const before = await userCount();
    const sameId = await request(h.gateway.url, 'POST', '/users', {
      id: 5_000_001,
      name: 'X',
      email: email('x'),
    });
    expect(sameId.status).toBe(409);
    expect(sameId.body.message).toMatch(/user 5000001 already exists/);
    const sameEmail = await request(h.gateway.url, 'POST', '/users', {
      name: 'Y',
      email: email('ADA').toUpperCase(),
    });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.message).toMatch(/email/);
    expect(await userCount()).toBe(before);
  });

  it('keeps when a player last signed in: set on create, by PATCH, cleared by PATCH null and by PUT without it', async () => {
    const created = await request(h.gateway.url, 'POST', '/users', {
      name: 'Player',
      email: email('player'),
      lastSignedInAt: '2026-11-30T18:05:00Z',
    });
    expect([created.status, created.body.lastSignedInAt]).toEqual([201, '2026-11-30T18:05:00.000Z']);
    const path = `/users/${created.body.id}`;
    const later = await request(h.gateway.url, 'PATCH', path, {
      lastSignedInAt: '2026-12-01T08:00:00+01:00',
    });
    expect([later.status, later.body.lastSignedInAt, later.body.name]).toEqual([
      200,
      '2026-12-01T07:00:00.000Z',
      'Player',
    ]);
    const cleared = await request(h.gateway.url, 'PATCH', path, { lastSignedInAt: null });
    expect([cleared.status, cleared.body.lastSignedInAt]).toEqual([200, null]);
    await request(h.gateway.url, 'PATCH', path, { lastSignedInAt: '2026-12-01T08:00:00Z' });
    const replaced = await request(h.gateway.url, 'PUT', path, { name: 'P', email: email('player') });
    expect([replaced.status, replaced.body.lastSignedInAt]).toEqual([200, null]);
    const bad = await request(h.gateway.url, 'PATCH', path, { lastSignedInAt: 'yesterday' });
    expect([bad.status, bad.body.message]).toEqual([
      400,
      expect.stringMatching(/lastSignedInAt must be a valid ISO 8601/),
    ]);
  });

  it('reads, lists, replaces, patches and deletes', async () => {
    const created = (await request(h.gateway.url, 'POST', '/users', { name: 'Cy', email: email('cy') })).body;
    const got = await request(h.gateway.url, 'GET', `/users/${created.id}`);
    expect(got.body).toEqual(created);
    const list = await request(h.gateway.url, 'GET', '/users?limit=1&offset=0');
    expect(list.body).toMatchObject({ limit: 1, offset: 0, hasMore: true });
    expect(list.body.items).toHaveLength(1);

    const put = await request(h.gateway.url, 'PUT', `/users/${created.id}`, {
      name: 'Cyd',
      email: email('cyd'),
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: created.id, name: 'Cyd', email: email('cyd') });
    const patch = await request(h.gateway.url, 'PATCH', `/users/${created.id}`, { name: '  Cyril ' });
    expect(patch.body).toMatchObject({ name: 'Cyril', email: email('cyd') });
    expect(new Date(patch.body.updatedAt).getTime()).toBeGreaterThan(new Date(created.updatedAt).getTime());

    expect((await request(h.gateway.url, 'DELETE', `/users/${created.id}`)).status).toBe(204);
    expect((await request(h.gateway.url, 'GET', `/users/${created.id}`)).status).toBe(404);
    expect((await request(h.gateway.url, 'DELETE', `/users/${created.id}`)).status).toBe(404);
    expect((await request(h.gateway.url, 'PATCH', `/users/${created.id}`, { name: 'Z' })).status).toBe(404);
  });

  it.each([
    ['POST', '/users', { name: 'N' }, /email must be an email/],
    ['POST', '/users', { name: '', email: 'e@example.com' }, /name should not be empty/],
    ['POST', '/users', { name: 'N', email: 'not-an-email' }, /email must be an email/],
    ['POST', '/users', { id: 0, name: 'N', email: 'z@example.com' }, /id must not be less than 1/],
    ['POST', '/users', { id: 1.5, name: 'N', email: 'z@example.com' }, /id must be an integer/],
    ['POST', '/users', { id: null, name: 'N', email: 'z@example.com' }, /id must be an integer/],
    [
      'POST',
      '/users',
      { name: 'N', email: 'z@example.com', role: 'admin' },
      /property role should not exist/,
    ],
    ['PUT', '/users/1', { name: 'N' }, /email must be an email/],
    ['PATCH', '/users/1', {}, /give name, email, lastSignedInAt or some of them/],
    ['GET', '/users/abc', undefined, /id must be an integer/],
    ['GET', '/users/0', undefined, /id must be an integer from 1/],
    ['GET', '/users?limit=101', undefined, /limit must not be greater than 100/],
  ])('%s %s answers 400 naming the problem: %j', async (method, path, body, message) => {
    const before = await userCount();
    const res = await request(h.gateway.url, method, path, body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
    expect(await userCount()).toBe(before);
  });
});
