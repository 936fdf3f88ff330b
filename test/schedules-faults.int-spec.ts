import { harness, request, startApp, waitFor } from './support';

/**
 * Two gateways run the scheduler; one is killed with SIGKILL in the middle of a 30-tick schedule
 * (every second, catchUp all): every tick gets exactly one task, none is missing, none twice.
 */
const h = harness();

it('gives every tick one task while a gateway is killed mid-schedule', async () => {
  const second = await startApp('gateway', h.env);
  const startAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
  const endAt = new Date(startAt.getTime() + 29_000);
  const expected = Array.from({ length: 30 }, (_, i) => new Date(startAt.getTime() + i * 1000).toISOString());
  const created = await request(h.gateway.url, 'POST', '/schedules', {
    name: `faults-${Date.now()}`,
    everySeconds: 1,
    startAt: startAt.toISOString(),
    endAt: endAt.toISOString(),
    catchUp: 'all',
    overlap: 'allow',
    task: { type: 'demo.work', payload: { seconds: 0, cpuBound: false } },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;

  const ticks = async () =>
    (
      await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM schedule_runs WHERE schedule_id = $1', [
        id,
      ])
    ).rows[0].n;
  await waitFor('half of the ticks', async () => ((await ticks()) >= 15 ? true : undefined), 40_000);
  await second.kill();
  await waitFor('every tick', async () => ((await ticks()) >= 30 ? true : undefined), 40_000);
  // A late extra tick would show below: by now the schedule has ended.
  await waitFor('the schedule to end', async () =>
    (await request(h.gateway.url, 'GET', `/schedules/${id}`)).body.nextFireAt === null ? true : undefined,
  );

  const { rows } = await h.db.query<{ fire_at: Date; task_id: string | null; outcome: string }>(
    'SELECT fire_at, task_id, outcome FROM schedule_runs WHERE schedule_id = $1 ORDER BY fire_at',
    [id],
  );
  expect(rows.map((r) => r.fire_at.toISOString())).toEqual(expected);
  expect(rows.every((r) => r.outcome === 'created' && r.task_id)).toBe(true);
  const tasks = await h.db.query<{ n: number; distinct: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT id)::int AS distinct FROM tasks WHERE id = ANY($1::uuid[])`,
    [rows.map((r) => r.task_id)],
  );
  expect(tasks.rows[0]).toEqual({ n: 30, distinct: 30 });
  // No task the runs do not know of: the spec's only tasks are the schedule's.
  const since = await h.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM tasks WHERE created_at >= $1`,
    [startAt],
  );
  expect(since.rows[0].n).toBe(30);
  expect((await request(h.gateway.url, 'DELETE', `/schedules/${id}`)).status).toBe(204);
}, 120_000);
