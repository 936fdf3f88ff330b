import { harness, request, waitFor } from './support';

/**
 * Group commit of `POST /tasks`: concurrent submissions share statements, yet each is answered,
 * audited and run on its own; a submission stuck behind a write that cannot commit is answered
 * 503 in the time a request waits for the pool, and nothing is written for it.
 */
const h = harness();
const TASK = { type: 'demo.work', payload: { seconds: 0, cpuBound: false } };

async function newKey(name: string): Promise<string> {
  const res = await request(h.gateway.url, 'POST', '/api-keys', { name, scopes: ['tasks:write'] });
  expect(res.status).toBe(201);
  return res.body.key as string;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return (await h.db.query<{ n: number }>(sql, params)).rows[0].n;
}

describe('concurrent submissions', () => {
  it('share commits, and each is answered, audited with its own key and run', async () => {
    const keys = {
      'group commit a': await newKey('group commit a'),
      'group commit b': await newKey('group commit b'),
    };
    const names = Object.keys(keys) as (keyof typeof keys)[];
    const sent = await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const name = names[i % 2];
        return request(h.gateway.url, 'POST', '/tasks', TASK, { authorization: `Bearer ${keys[name]}` }).then(
          (res) => ({ name, res }),
        );
      }),
    );
    expect(sent.map((s) => s.res.status)).toEqual(sent.map(() => 201));
    const ids = sent.map((s) => s.res.body.id as string);
    expect(new Set(ids).size).toBe(300);
    expect(sent.every((s) => s.res.body.status === 'queued' && s.res.body.type === 'demo.work')).toBe(true);

    // One statement, one now(): tasks written together share their created_at.
    const commits = await count(
      'SELECT count(DISTINCT created_at)::int AS n FROM tasks WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThan(300);

    const audit = await h.db.query<{ target_id: string; key_name: string; status: number; route: string }>(
      'SELECT target_id, key_name, status, route FROM audit_log WHERE target_id = ANY($1::text[])',
      [ids],
    );
    const byTask = new Map(audit.rows.map((r) => [r.target_id, r]));
    expect(audit.rows).toHaveLength(300);
    for (const s of sent) {
      expect(byTask.get(s.res.body.id as string)).toMatchObject({
        key_name: s.name,
        status: 201,
        route: '/tasks',
      });
    }

    await waitFor(
      'all 300 to succeed',
      async () =>
        (await count(
          `SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[]) AND status = 'succeeded'`,
          [ids],
        )) === 300 || undefined,
      60_000,
    );
  });
});

describe('a write that cannot commit', () => {
  it('answers the submissions waiting behind it 503 within the pool wait, and writes nothing for them', async () => {
    const before = await count('SELECT count(*)::int AS n FROM tasks');
    const auditBefore = await count(`SELECT count(*)::int AS n FROM audit_log WHERE route = '/tasks'`);
    const lock = h.db;
    await lock.query('BEGIN');
    let stuck: Promise<{ status: number }> | undefined;
    try {
      await lock.query('LOCK TABLE tasks IN SHARE ROW EXCLUSIVE MODE');
      stuck = request(h.gateway.url, 'POST', '/tasks', TASK);
      // The stuck write is in flight once PostgreSQL shows a session waiting for the table (nothing
      // else writes tasks now: no outbox row is due).
      await waitFor(
        'the first write to wait for the lock',
        async () =>
          (await count(
            `SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'tasks'::regclass AND NOT granted`,
          )) > 0 || undefined,
        10_000,
      );
      const started = Date.now();
      const waiting = await Promise.all(
        Array.from({ length: 5 }, () =>
          request(h.gateway.url, 'POST', '/tasks', TASK).then((r) => ({ ...r, ms: Date.now() - started })),
        ),
      );
      expect(waiting.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
      expect(waiting[0].body.message).toBe('The database is busy; retry shortly');
      // Answered as a request waiting for a pooled connection is (3 s), not when the lock goes.
      expect(Math.max(...waiting.map((r) => r.ms))).toBeLessThan(6000);
    } finally {
      await lock.query('ROLLBACK');
    }
    expect((await stuck)?.status).toBe(201);
    expect(await count('SELECT count(*)::int AS n FROM tasks')).toBe(before + 1);
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE route = '/tasks'`)).toBe(
      auditBefore + 1,
    );
  });
});
