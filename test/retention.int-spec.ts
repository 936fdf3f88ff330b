import { randomUUID } from 'node:crypto';
import { harness, metricValue, request, startApp, waitFor } from './support';

/**
 * Retention: finished tasks older than TASK_RETENTION_HOURS go, with their attempts, a bounded
 * batch at a time; dead tasks stay unless DEAD_TASK_RETENTION_HOURS says otherwise; unfinished and
 * recent ones stay.
 */
const h = harness({
  worker: false,
  gatewayEnv: { RETENTION_INTERVAL_SECONDS: '1', RETENTION_BATCH_SIZE: '100' },
});

/** Inserts a finished (or not) task `hoursAgo` old, with one attempt row; answers its id. */
async function task(
  status: string,
  hoursAgo: number,
  finished = true,
  flowId: string | null = null,
): Promise<string> {
  const id = randomUUID();
  const at = new Date(Date.now() - hoursAgo * 3_600_000);
  await h.db.query(
    `INSERT INTO tasks (id, type, payload, priority, status, attempts, max_attempts, run_at, created_at, updated_at,
       finished_at, flow_id, flow_key)
     VALUES ($1, 'demo.work', '{"seconds":0,"cpuBound":false}', 'normal', $2, 1, 3, $3, $3, $3, $4, $5, $6)`,
    [id, status, at, finished ? at : null, flowId, flowId ? id : null],
  );
  await h.db.query(
    `INSERT INTO task_attempts (task_id, attempt, status, started_at, finished_at) VALUES ($1, 1, 'succeeded', $2, $2)`,
    [id, at],
  );
  return id;
}

const present = async (ids: string[]) =>
  (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[])', [ids]))
    .rows[0].n;

it('removes old finished tasks and their attempts in batches, and keeps the rest', async () => {
  // Read first: passes run every second, so some of the rows below may go while they are written.
  const before = (await metricValue(h.gateway.url, 'conveyor_tasks_retention_deleted_total')) ?? 0;
  const old: string[] = [];
  for (let i = 0; i < 250; i++) old.push(await task(['succeeded', 'failed', 'cancelled'][i % 3], 200));
  const dead = await task('dead', 200);
  const recent = await task('succeeded', 1);
  const unfinished = await task('pending', 200, false);
  // The pending row has no message: left behind, it would hold up later specs that wait for the queues to drain.
  try {
    await checkRetention(old, dead, recent, unfinished, before);
  } finally {
    await h.db.query('DELETE FROM tasks WHERE id = ANY($1::uuid[])', [[dead, recent, unfinished]]);
  }
});

async function checkRetention(
  old: string[],
  dead: string,
  recent: string,
  unfinished: string,
  before: number,
) {
  await waitFor(
    'the old finished tasks to go',
    async () => ((await present(old)) === 0 ? true : undefined),
    30_000,
    200,
  );
  const attempts = await h.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM task_attempts WHERE task_id = ANY($1::uuid[])',
    [old],
  );
  expect(attempts.rows[0].n).toBe(0);
  expect(await present([dead, recent, unfinished])).toBe(3);
  expect(await metricValue(h.gateway.url, 'conveyor_tasks_retention_deleted_total')).toBeGreaterThanOrEqual(
    before + 250,
  );

  // Dead tasks go only by their own setting.
  const strict = await startApp('gateway', h.env, {
    RETENTION_INTERVAL_SECONDS: '1',
    DEAD_TASK_RETENTION_HOURS: '100',
  });
  try {
    await waitFor(
      'the old dead task to go',
      async () => ((await present([dead])) === 0 ? true : undefined),
      30_000,
      200,
    );
    expect(await present([recent, unfinished])).toBe(2);
  } finally {
    await strict.stop();
  }
}

/** A flow `hoursAgo` old whose tasks (a chain) are in `statuses`; answers its id and its tasks' ids. */
async function flow(statuses: string[], hoursAgo: number): Promise<{ id: string; tasks: string[] }> {
  const id = randomUUID();
  await h.db.query(
    `INSERT INTO flows (id, name, task_count, created_at) VALUES ($1, 'spec-retention', $2, $3)`,
    [id, statuses.length, new Date(Date.now() - hoursAgo * 3_600_000)],
  );
  const tasks: string[] = [];
  for (const status of statuses) tasks.push(await task(status, hoursAgo, status !== 'waiting', id));
  for (let i = 1; i < tasks.length; i++) {
    await h.db.query(`INSERT INTO task_parents (flow_id, parent_id, task_id) VALUES ($1, $2, $3)`, [
      id,
      tasks[i - 1],
      tasks[i],
    ]);
  }
  return { id, tasks };
}

it('removes an old flow once all its tasks are past retention, with its tasks and edges; never part of one', async () => {
  const done = await flow(['succeeded', 'failed', 'cancelled'], 200);
  const open = await flow(['succeeded', 'waiting'], 200);
  await waitFor(
    'the finished flow to go',
    async () =>
      (await h.db.query('SELECT 1 FROM flows WHERE id = $1', [done.id])).rowCount === 0 ? true : undefined,
    30_000,
    200,
  );
  expect(await present(done.tasks)).toBe(0);
  // The flow's delete cascades to its tasks, and their statement trigger takes their attempts.
  const attempts = await h.db.query('SELECT 1 FROM task_attempts WHERE task_id = ANY($1::uuid[])', [
    done.tasks,
  ]);
  expect(attempts.rowCount).toBe(0);
  const edges = await h.db.query('SELECT 1 FROM task_parents WHERE flow_id = $1', [done.id]);
  expect(edges.rowCount).toBe(0);
  // The other flow's old succeeded task stays with it: its waiting child still needs its result.
  expect(await present(open.tasks)).toBe(2);
  const refused = await request(h.gateway.url, 'DELETE', `/tasks/${open.tasks[0]}`);
  expect(refused.status).toBe(409);
  expect(refused.body.message).toContain(`belongs to flow ${open.id}`);
  await h.db.query('DELETE FROM flows WHERE id = $1', [open.id]);
});

it('lets a person delete a finished task (a dead one, say), and refuses an unfinished one', async () => {
  const dead = await task('dead', 1);
  const pending = await task('pending', 1, false);
  expect((await request(h.gateway.url, 'DELETE', `/tasks/${pending}`)).status).toBe(409);
  expect((await request(h.gateway.url, 'DELETE', `/tasks/${dead}`)).status).toBe(204);
  expect((await request(h.gateway.url, 'GET', `/tasks/${dead}`)).status).toBe(404);
  const attempts = await h.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM task_attempts WHERE task_id = $1',
    [dead],
  );
  expect(attempts.rows[0].n).toBe(0);
  expect((await request(h.gateway.url, 'DELETE', `/tasks/${dead}`)).status).toBe(404);
  // A task's outbox rows go with it too (a scheduled retry of a task deleted by hand, say).
  const withRow = await task('failed', 1);
  await h.db.query(
    `INSERT INTO outbox (task_id, attempt, exchange, routing_key, message_id, message_type, body, headers, available_at)
     VALUES ($1, 2, 'conveyor.tasks', 'task.normal.io', $2, 'task', '{}', '{}', now() + interval '1 hour')`,
    [withRow, `${withRow}:2`],
  );
  expect((await request(h.gateway.url, 'DELETE', `/tasks/${withRow}`)).status).toBe(204);
  expect((await h.db.query('SELECT 1 FROM outbox WHERE task_id = $1', [withRow])).rowCount).toBe(0);
  expect((await h.db.query('SELECT 1 FROM task_attempts WHERE task_id = $1', [withRow])).rowCount).toBe(0);
  expect((await request(h.gateway.url, 'DELETE', '/tasks/nope')).status).toBe(400);
  expect(await present([pending])).toBe(1);
  await h.db.query('DELETE FROM tasks WHERE id = $1', [pending]);
});
