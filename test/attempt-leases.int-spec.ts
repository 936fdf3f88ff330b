import {
  RunningApp,
  allFinished,
  closeConnectionsOf,
  harness,
  metricValue,
  request,
  startApp,
  statusCounts,
  waitFor,
} from './support';

/**
 * A redelivered copy of an attempt that another worker runs: it waits for that run and is acked
 * unrun once the run's reports are confirmed; if the worker holding it died, its lease lapses
 * and the copy runs.
 */
const LEASE = { WORKER_ATTEMPT_LEASE_MS: '2000' };
const h = harness({ workerEnv: LEASE });
let other: RunningApp;

beforeAll(async () => {
  other = await startApp('worker', h.env, LEASE);
});
afterAll(async () => {
  await other?.stop();
});

async function submit(n: number, seconds: number): Promise<string[]> {
  const items = Array.from({ length: n }, () => ({
    type: 'demo.work',
    payload: { seconds, cpuBound: false },
  }));
  const res = await request(h.gateway.url, 'POST', '/tasks/batch', { items });
  expect(res.status).toBe(201);
  return res.body.items.map((t: { id: string }) => t.id);
}

const succeededRuns = async (app: RunningApp) =>
  (await metricValue(app.url, 'conveyor_task_attempt_duration_seconds_count', 'outcome="succeeded"')) ?? 0;
const counter = async (app: RunningApp, name: string) => (await metricValue(app.url, name)) ?? 0;

async function runningAll(ids: string[]): Promise<void> {
  await waitFor('every task to be running', async () =>
    (await statusCounts(h.db, ids)).running === ids.length ? true : undefined,
  );
}

describe('attempt leases across workers', () => {
  it("acks a copy unrun when another worker's connection failed under the running attempt", async () => {
    const before = (await succeededRuns(h.worker!)) + (await succeededRuns(other));
    const waitedBefore = await counter(other, 'conveyor_task_copies_waited_total');
    const settledBefore = await counter(other, 'conveyor_task_copies_settled_total');
    const ids = await submit(20, 3);
    await runningAll(ids);
    // The broker hands the first worker's unacked messages to the other one, which finds them leased.
    expect(await closeConnectionsOf(h.env, h.worker!.proc.pid!)).toBeGreaterThan(0);
    expect(await allFinished(h.db, ids, 60_000)).toEqual({ succeeded: 20 });
    await waitFor('the copies to be settled', async () => {
      const waited = (await counter(other, 'conveyor_task_copies_waited_total')) - waitedBefore;
      const settled = (await counter(other, 'conveyor_task_copies_settled_total')) - settledBefore;
      return waited > 0 && settled >= waited ? { waited, settled } : undefined;
    });
    const runs = (await succeededRuns(h.worker!)) + (await succeededRuns(other)) - before;
    const { rows } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM task_attempts WHERE task_id = ANY($1::uuid[])`,
      [ids],
    );
    // Every handler ran once: no copy ran beside the first run.
    expect(runs).toBe(20);
    expect(rows[0].n).toBe(20);
  });

  it('runs the copies once the lease of a killed worker lapses', async () => {
    const waitedBefore = await counter(other, 'conveyor_task_copies_waited_total');
    const ranBefore = await succeededRuns(other);
    const ids = await submit(20, 1);
    await runningAll(ids);
    const killedAt = Date.now();
    await h.worker!.kill();
    expect(await allFinished(h.db, ids, 60_000)).toEqual({ succeeded: 20 });
    const { rows } = await h.db.query<{ last: Date }>(
      `SELECT max(finished_at) AS last FROM tasks WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const tookS = (rows[0].last.getTime() - killedAt) / 1000;
    process.stdout.write(
      `attempt leases: copies of a killed worker's attempts done ${tookS.toFixed(2)} s later\n`,
    );
    const waited = (await counter(other, 'conveyor_task_copies_waited_total')) - waitedBefore;
    // The copies waited for the dead worker's leases (2 s here), then ran here: no longer than that
    // and a second of work.
    expect(waited).toBeGreaterThan(0);
    expect((await succeededRuns(other)) - ranBefore).toBeGreaterThanOrEqual(waited);
    expect(tookS).toBeLessThan(10);
    h.worker = await startApp('worker', h.env, LEASE);
  });
});
