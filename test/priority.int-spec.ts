import { allFinished, harness, request, waitFor } from './support';

const h = harness({ simulator: true });
const BACKLOG = 10_000;

describe('the priority lane', () => {
  it('answers a priority conversion within 1 s behind 10,000 queued normal tasks', async () => {
    // Warm the rate table, so the figure is about the lanes and not about the provider.
    expect((await request(h.gateway.url, 'GET', '/conversions?from=EUR&to=USD&amount=1.23')).status).toBe(
      200,
    );

    // The backlog becomes due all at once, so it is all queued when the priority request comes.
    const runAt = new Date(Date.now() + 5000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < BACKLOG / 1000; i++) {
      const items = Array.from({ length: 1000 }, () => ({
        type: 'demo.work',
        payload: { seconds: 0.05, cpuBound: false },
        runAt,
      }));
      const r = await request(h.gateway.url, 'POST', '/tasks/batch', { items });
      expect(r.status).toBe(201);
      ids.push(...r.body.items.map((t: { id: string }) => t.id));
    }
    const unfinished = async () =>
      (
        await h.db.query(
          `SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[]) AND finished_at IS NULL`,
          [ids],
        )
      ).rows[0].n as number;
    await waitFor('the backlog to be on its way to the worker', async () => {
      const { rows } = await h.db.query(
        `SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[]) AND status <> 'pending'`,
        [ids],
      );
      return rows[0].n >= 1000 ? true : undefined;
    });
    const waitingBefore = await unfinished();

    const started = Date.now();
    const r = await request(h.gateway.url, 'GET', '/conversions?from=USD&to=JPY&amount=42.42&priority=true');
    const tookMs = Date.now() - started;
    const waitingAfter = await unfinished();
    console.log(
      `priority conversion answered in ${tookMs} ms; normal tasks unfinished: ${waitingBefore} before, ${waitingAfter} after`,
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ priority: true, cached: false, result: '6589' });
    expect(tookMs).toBeLessThan(1000);
    // The backlog was really there, and mostly still is.
    expect(waitingBefore).toBeGreaterThan(BACKLOG * 0.9);
    expect(waitingAfter).toBeGreaterThan(BACKLOG / 2);
    const task = (await request(h.gateway.url, 'GET', `/tasks/${r.body.taskId}`)).body;
    expect(task.priority).toBe('high');

    expect(await allFinished(h.db, ids)).toEqual({ succeeded: BACKLOG });
  });
});
