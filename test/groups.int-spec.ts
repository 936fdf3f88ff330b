import { RunningApp, allFinished, harness, request, startApp, waitFor } from './support';

/**
 * Group limits across two gateways and three workers: concurrency, rate, fairness, a limit changed
 * at run time, and cancellation, retries and flows under a limit.
 */
const h = harness();

/** A second gateway: both relays publish grouped tasks, so the limits must hold across them. */
let second: RunningApp | undefined;

/** Submits in batches of 1,000, alternately through each gateway. */
async function submit(items: Record<string, unknown>[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < items.length; i += 1000) {
    const url = second && (i / 1000) % 2 === 1 ? second.url : h.gateway.url;
    const r = await request(url, 'POST', '/tasks/batch', { items: items.slice(i, i + 1000) });
    expect(r.status).toBe(201);
    ids.push(...r.body.items.map((t: { id: string }) => t.id));
  }
  return ids;
}

const work = (group: string, seconds: number, n: number) =>
  Array.from({ length: n }, () => ({ type: 'demo.work', payload: { seconds, cpuBound: false }, group }));

interface Span {
  start: number;
  end: number;
}

async function spans(ids: string[]): Promise<Span[]> {
  const { rows } = await h.db.query<{ s: Date; e: Date }>(
    `SELECT started_at AS s, finished_at AS e FROM task_attempts WHERE task_id = ANY($1::uuid[])`,
    [ids],
  );
  return rows.map((r) => ({ start: r.s.getTime(), end: r.e.getTime() }));
}

/** The most attempts running at one moment, from their start and end times. */
function mostAtOnce(all: Span[]): number {
  const edges = all.flatMap((s) => [
    { at: s.start, d: 1 },
    { at: s.end, d: -1 },
  ]);
  // An end and a start at the same millisecond: the end first (the slot passed on).
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.d));
  return most;
}

async function put(group: string, limits: Record<string, unknown>) {
  return request(h.gateway.url, 'PUT', `/groups/${encodeURIComponent(group)}`, limits);
}

describe('groups', () => {
  const workers: RunningApp[] = [];
  beforeAll(async () => {
    workers.push(await startApp('worker', h.env), await startApp('worker', h.env));
    second = await startApp('gateway', h.env);
  });
  afterAll(async () => {
    await Promise.all([...workers, ...(second ? [second] : [])].map((w) => w.stop()));
  });

  it('refuses bad group names and limits with a 400 naming the field, and writes nothing', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['ok', { concurrency: -1 }, 'concurrency must be at least 0'],
      ['ok', { concurrency: 1.5 }, 'concurrency must be an integer'],
      ['ok', { concurrency: 10_000_000 }, 'concurrency must be at most 100000'],
      ['ok', { ratePerSecond: 0 }, 'ratePerSecond must be at least 1'],
      ['ok', { ratePerSecond: '5' }, 'ratePerSecond must be an integer'],
      ['ok', { concurrency: 1, extra: true }, 'extra'],
      ['has space', { concurrency: 1 }, 'group must be 1 to 200 visible characters'],
      ['x'.repeat(201), { concurrency: 1 }, 'group must be 1 to 200 visible characters'],
    ];
    for (const [group, body, message] of cases) {
      const r = await put(group, body);
      expect({ group, status: r.status }).toEqual({ group, status: 400 });
      expect(JSON.stringify(r.body)).toContain(message);
    }
    const bad = await request(h.gateway.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 0, cpuBound: false },
      group: 'tab\there',
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('group must be 1 to 200 visible characters');
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n FROM task_groups WHERE name IN ('ok', 'has space')`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('sets, shows, lists and removes limits, with running and waiting counts', async () => {
    const group = 'tenant-ü/42';
    expect((await put(group, { concurrency: 0 })).status).toBe(201);
    const again = await put(group, { concurrency: 0, ratePerSecond: 5 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      name: group,
      concurrency: 0,
      ratePerSecond: 5,
      running: 0,
      waiting: 0,
    });
    // Concurrency 0 holds the group's tasks back; they are counted as waiting.
    const ids = await submit(work(group, 0, 3));
    const shown = await request(h.gateway.url, 'GET', `/groups/${encodeURIComponent(group)}`);
    expect(shown.body).toMatchObject({ concurrency: 0, running: 0, waiting: 3 });
    const listed = await request(h.gateway.url, 'GET', '/groups?limit=100');
    expect(listed.body.items.map((g: { name: string }) => g.name)).toContain(group);
    const tasks = await request(h.gateway.url, 'GET', `/tasks?group=${encodeURIComponent(group)}`);
    expect(tasks.body.items.map((t: { id: string }) => t.id).sort()).toEqual([...ids].sort());
    expect(tasks.body.items[0].group).toBe(group);

    expect((await request(h.gateway.url, 'DELETE', `/groups/${encodeURIComponent(group)}`)).status).toBe(204);
    expect(await allFinished(h.db, ids, 30_000)).toEqual({ succeeded: 3 });
    expect((await request(h.gateway.url, 'GET', `/groups/${encodeURIComponent(group)}`)).status).toBe(404);
    expect((await request(h.gateway.url, 'DELETE', `/groups/${encodeURIComponent(group)}`)).status).toBe(404);
  });

  it('runs a concurrency-3 group at most 3 at once and starts a rate-50 group at most 50 a second', async () => {
    expect((await put('conc3', { concurrency: 3 })).status).toBe(201);
    expect((await put('rate50', { ratePerSecond: 50 })).status).toBe(201);
    // Both about 30 s, side by side: 90 one-second tasks three at a time, 1,500 at 50 a second.
    const [slow, fast] = await Promise.all([submit(work('conc3', 1, 90)), submit(work('rate50', 0, 1500))]);
    const [slowDone, fastDone] = await Promise.all([
      allFinished(h.db, slow, 200_000),
      allFinished(h.db, fast, 200_000),
    ]);
    expect(slowDone).toEqual({ succeeded: 90 });
    expect(fastDone).toEqual({ succeeded: 1500 });

    const slowSpans = await spans(slow);
    expect(slowSpans).toHaveLength(90);
    const most = mostAtOnce(slowSpans);
    const fastSpans = await spans(fast);
    const perSecond = new Map<number, number>();
    for (const s of fastSpans)
      perSecond.set(Math.floor(s.start / 1000), (perSecond.get(Math.floor(s.start / 1000)) ?? 0) + 1);
    const starts = fastSpans.map((s) => s.start);
    const totalS = (Math.max(...fastSpans.map((s) => s.end)) - Math.min(...starts)) / 1000;
    const busiest = Math.max(...perSecond.values());
    process.stdout.write(
      `groups: concurrency 3 → at most ${most} at once; rate 50 → busiest second ${busiest} starts, ` +
        `1,500 tasks in ${totalS.toFixed(1)} s\n`,
    );
    expect(most).toBe(3);
    expect(busiest).toBeLessThanOrEqual(50);
    // 1,500 at 50 a second: about 30 s, whatever the first second's burst.
    expect(totalS).toBeGreaterThan(27);
    expect(totalS).toBeLessThan(33);
  });

  it('keeps cancellation, retries and flows working under a limit of one', async () => {
    expect((await put('one', { concurrency: 1 })).status).toBe(201);
    const [first, cancelled] = await submit(work('one', 1, 2));
    const retried = (
      await request(h.gateway.url, 'POST', '/tasks', {
        type: 'demo.work',
        payload: { seconds: 0.2, cpuBound: false, failAttempts: 1 },
        maxAttempts: 2,
        group: 'one',
      })
    ).body.id as string;
    const flow = await request(h.gateway.url, 'POST', '/flows', {
      tasks: [
        { key: 'a', type: 'demo.work', payload: { seconds: 0.2, cpuBound: false }, group: 'one' },
        {
          key: 'b',
          type: 'demo.work',
          payload: { seconds: 0.2, cpuBound: false },
          group: 'one',
          dependsOn: ['a'],
        },
      ],
    });
    expect(flow.status).toBe(201);
    const flowIds = (flow.body.tasks as { taskId: string }[]).map((t) => t.taskId);
    // The second task waits behind the first: cancelled there, it never starts.
    const cancel = await request(h.gateway.url, 'PATCH', `/tasks/${cancelled}`, { status: 'cancelled' });
    expect(cancel.status).toBe(200);
    const all = [first, cancelled, retried, ...flowIds];
    expect(await allFinished(h.db, all, 60_000)).toEqual({ succeeded: 4, cancelled: 1 });
    expect(await spans([cancelled])).toEqual([]);
    const retriedTask = (await request(h.gateway.url, 'GET', `/tasks/${retried}`)).body;
    expect(retriedTask).toMatchObject({ status: 'succeeded', attempts: 2, group: 'one' });
    // Every attempt of the group, the failed one and its retry included, ran alone.
    const ran = await spans(all);
    expect(ran).toHaveLength(5);
    expect(mostAtOnce(ran)).toBe(1);
  });

  it('lowered from 10 to 2 while 10 run: starts nothing new until fewer than 2 run', async () => {
    expect((await put('lowered', { concurrency: 10 })).status).toBe(201);
    const ids = await submit(work('lowered', 2, 30));
    await waitFor('10 of the group to be running', async () => {
      const { rows } = await h.db.query(
        `SELECT count(*)::int AS n FROM tasks WHERE group_name = 'lowered' AND status = 'running'`,
      );
      return rows[0].n === 10 ? true : undefined;
    });
    const loweredAt = Date.now();
    expect((await put('lowered', { concurrency: 2 })).status).toBe(200);
    expect(await allFinished(h.db, ids, 120_000)).toEqual({ succeeded: 30 });
    const all = await spans(ids);
    const later = all.filter((s) => s.start > loweredAt);
    expect(later.length).toBeGreaterThan(0);
    for (const s of later) {
      const others = all.filter((o) => o !== s && o.start <= s.start && o.end > s.start).length;
      expect(others).toBeLessThan(2);
    }
  });

  it("starts a small group's tasks within 2 s behind another group's 50,000 waiting", async () => {
    expect((await put('big', { concurrency: 10 })).status).toBe(201);
    const big: string[] = [];
    const items = work('big', 0, 50_000);
    // Four batches at a time, as a busy client would.
    for (let i = 0; i < items.length; i += 4000) {
      const parts = await Promise.all(
        [0, 1000, 2000, 3000].map((o) => submit(items.slice(i + o, i + o + 1000))),
      );
      big.push(...parts.flat());
    }
    const submittedAt = Date.now();
    const small = await submit(work('small', 0, 10));
    const started = await waitFor('the small group to start', async () => {
      const { rows } = await h.db.query<{ n: number; last: Date | null }>(
        `SELECT count(*)::int AS n, max(started_at) AS last FROM task_attempts WHERE task_id = ANY($1::uuid[])`,
        [small],
      );
      return rows[0].n === 10 ? rows[0].last! : undefined;
    });
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n FROM tasks WHERE group_name = 'big' AND status IN ('pending', 'queued', 'running')`,
    );
    const waitedS = (started.getTime() - submittedAt) / 1000;
    process.stdout.write(
      `groups: 10 tasks started ${waitedS.toFixed(2)} s after submission behind ${rows[0].n} of another group\n`,
    );
    expect(rows[0].n).toBeGreaterThan(40_000);
    expect(waitedS).toBeLessThan(2);
    // Its limits removed, the big group's backlog goes out as if it never had one.
    expect((await request(h.gateway.url, 'DELETE', '/groups/big')).status).toBe(204);
    expect(await allFinished(h.db, big, 180_000)).toEqual({ succeeded: 50_000 });
  });
});
