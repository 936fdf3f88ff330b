import { harness, request, waitFor } from './support';

/**
 * Schedules as a client uses them: ticks create tasks, the next fire times are shown, overlap skip
 * never lets two of a schedule's tasks run at once, pause stops the ticks, and bad schedules are
 * refused with a 400 naming the problem, writing nothing.
 */
const h = harness();
const TASK = { type: 'demo.work', payload: { seconds: 0, cpuBound: false } };
let seq = 0;
const name = (what: string) => `spec-${what}-${Date.now()}-${seq++}`;

interface Run {
  fireAt: string;
  taskId: string | null;
  outcome: string;
}

async function runs(id: string): Promise<Run[]> {
  const res = await request(h.gateway.url, 'GET', `/schedules/${id}`);
  expect(res.status).toBe(200);
  return res.body.runs as Run[];
}

async function schedulesCount(): Promise<number> {
  return (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schedules')).rows[0].n;
}

describe('schedules', () => {
  // A schedule a failed test left would tick under later specs.
  afterAll(async () => {
    const { rows } = await h.db.query<{ id: string }>(`SELECT id FROM schedules WHERE name LIKE 'spec-%'`);
    for (const { id } of rows)
      expect((await request(h.gateway.url, 'DELETE', `/schedules/${id}`)).status).toBe(204);
  });

  it('create a task at every tick, show the next fire times, pause, resume and delete', async () => {
    const created = await request(h.gateway.url, 'POST', '/schedules', {
      name: name('every'),
      everySeconds: 1,
      task: TASK,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const detail = await request(h.gateway.url, 'GET', `/schedules/${id}`);
    const fires = (detail.body.nextFires as string[]).map((t) => Date.parse(t));
    expect(fires).toHaveLength(5);
    expect(fires.slice(1).map((t, i) => t - fires[i])).toEqual([1000, 1000, 1000, 1000]);
    expect(detail.body).toMatchObject({ overlap: 'skip', catchUp: 'latest', timezone: 'UTC', paused: false });

    const made = await waitFor('three ticks with their tasks', async () => {
      const r = (await runs(id)).filter((x) => x.outcome === 'created');
      return r.length >= 3 ? r : undefined;
    });
    for (const run of made) {
      const task = await request(h.gateway.url, 'GET', `/tasks/${run.taskId}`);
      expect(task.body).toMatchObject({ type: 'demo.work' });
      expect(Date.parse(task.body.createdAt)).toBeGreaterThanOrEqual(Date.parse(run.fireAt));
    }

    expect((await request(h.gateway.url, 'PATCH', `/schedules/${id}`, { paused: true })).status).toBe(200);
    const pausedAt = Date.now();
    const afterPause = await waitFor('no tick 2.5 s after the pause', async () =>
      Date.now() - pausedAt > 2500 ? runs(id) : undefined,
    );
    expect(afterPause.filter((r) => Date.parse(r.fireAt) > pausedAt + 200)).toEqual([]);
    expect((await request(h.gateway.url, 'GET', `/schedules/${id}`)).body.nextFires).toEqual([]);

    expect((await request(h.gateway.url, 'PATCH', `/schedules/${id}`, { paused: false })).status).toBe(200);
    await waitFor('a tick after the resume', async () =>
      (await runs(id)).some((r) => Date.parse(r.fireAt) > pausedAt + 2500) ? true : undefined,
    );
    expect((await request(h.gateway.url, 'DELETE', `/schedules/${id}`)).status).toBe(204);
    expect((await request(h.gateway.url, 'GET', `/schedules/${id}`)).status).toBe(404);
  });

  it('fire a six-field cron expression on its seconds', async () => {
    const created = await request(h.gateway.url, 'POST', '/schedules', {
      name: name('cron'),
      cron: '*/2 * * * * *',
      timezone: 'Europe/Madrid',
      task: TASK,
      overlap: 'allow',
    });
    expect(created.status).toBe(201);
    const made = await waitFor('two ticks', async () => {
      const r = (await runs(created.body.id)).filter((x) => x.outcome === 'created');
      return r.length >= 2 ? r : undefined;
    });
    for (const run of made) expect(new Date(run.fireAt).getUTCSeconds() % 2).toBe(0);
    await request(h.gateway.url, 'DELETE', `/schedules/${created.body.id}`);
  });

  it('with overlap skip never run two of its tasks at once', async () => {
    const created = await request(h.gateway.url, 'POST', '/schedules', {
      name: name('overlap'),
      everySeconds: 1,
      task: { type: 'demo.work', payload: { seconds: 3, cpuBound: false } },
      overlap: 'skip',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const all = await waitFor(
      'two of its tasks finished',
      async () => {
        const made = (await runs(id)).filter((r) => r.outcome === 'created');
        const tasks = await Promise.all(
          made.map(async (r) => (await request(h.gateway.url, 'GET', `/tasks/${r.taskId}`)).body),
        );
        return tasks.filter((t) => t.status === 'succeeded').length >= 2
          ? { runs: await runs(id), tasks }
          : undefined;
      },
      30_000,
      250,
    );
    await request(h.gateway.url, 'PATCH', `/schedules/${id}`, { paused: true });
    expect(all.runs.some((r) => r.outcome === 'skipped')).toBe(true);
    const spans = all.tasks
      .filter((t) => t.startedAt)
      .map((t) => [Date.parse(t.startedAt), t.finishedAt ? Date.parse(t.finishedAt) : Infinity])
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
    await request(h.gateway.url, 'DELETE', `/schedules/${id}`);
  });

  it('refuse bad schedules with a 400 naming the problem, writing nothing', async () => {
    const before = await schedulesCount();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ everySeconds: 5, task: TASK }, /name/],
      [{ name: 'x', task: TASK }, /cron or everySeconds/],
      [{ name: 'x', cron: '* * * * *', everySeconds: 5, task: TASK }, /cron or everySeconds/],
      [{ name: 'x', cron: 'every monday', task: TASK }, /cron/],
      [{ name: 'x', cron: '61 * * * *', task: TASK }, /cron/],
      [{ name: 'x', everySeconds: 5, timezone: 'Mars/Olympus', task: TASK }, /timezone/],
      [{ name: 'x', everySeconds: 0, task: TASK }, /everySeconds/],
      [{ name: 'x', everySeconds: 1.5, task: TASK }, /everySeconds/],
      [{ name: 'x', everySeconds: 1e12, task: TASK }, /everySeconds/],
      [{ name: 'x', everySeconds: 5, task: { type: 'nope', payload: {} } }, /type/],
      [
        {
          name: 'x',
          everySeconds: 5,
          task: { type: 'demo.work', payload: { seconds: -1, cpuBound: false } },
        },
        /seconds/,
      ],
      [{ name: 'x', everySeconds: 5, task: TASK, overlap: 'sometimes' }, /overlap/],
      [{ name: 'x', everySeconds: 5, task: TASK, catchUp: 'some' }, /catchUp/],
      [
        {
          name: 'x',
          everySeconds: 5,
          task: TASK,
          startAt: '2030-01-02T00:00:00Z',
          endAt: '2030-01-01T00:00:00Z',
        },
        /endAt/,
      ],
      [{ name: 'x', everySeconds: 5, task: TASK, extra: 1 }, /extra/],
      [{ name: ' ', everySeconds: 5, task: TASK }, /name/],
    ];
    for (const [body, problem] of cases) {
      const res = await request(h.gateway.url, 'POST', '/schedules', body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      expect([JSON.stringify(body), res.body.message]).toEqual([
        JSON.stringify(body),
        expect.stringMatching(problem),
      ]);
    }
    const dup = name('dup');
    const first = await request(h.gateway.url, 'POST', '/schedules', {
      name: dup,
      everySeconds: 3600,
      task: TASK,
    });
    expect(first.status).toBe(201);
    expect(
      (await request(h.gateway.url, 'POST', '/schedules', { name: dup, everySeconds: 60, task: TASK }))
        .status,
    ).toBe(409);
    expect(
      (await request(h.gateway.url, 'PATCH', `/schedules/${first.body.id}`, { cron: 'nope' })).status,
    ).toBe(400);
    expect(await schedulesCount()).toBe(before + 1);
    await request(h.gateway.url, 'DELETE', `/schedules/${first.body.id}`);
  });
});
