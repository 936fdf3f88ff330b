import { RunningApp, harness, request, startApp, waitFor } from './support';

/**
 * Flows through crashes: a worker and then one of two gateways (both applying reports) are
 * killed with SIGKILL mid-flow. Every task still succeeds once, no child starts before its last
 * parent finished, and every child saw all its parents' results.
 */
const h = harness();
const FLOWS = 10;
const LEVELS = 5;
const WIDTH = 4;

function flow(n: number) {
  const tasks = [];
  for (let level = 0; level < LEVELS; level++) {
    for (let i = 0; i < WIDTH; i++) {
      tasks.push({
        key: `l${level}.${i}`,
        type: 'demo.work',
        payload: { seconds: 0.3, cpuBound: i === 0, value: 1 },
        ...(level > 0 && { dependsOn: Array.from({ length: WIDTH }, (_, j) => `l${level - 1}.${j}`) }),
      });
    }
  }
  return { name: `spec-faults-${n}`, tasks };
}

async function succeeded(flowIds: string[]): Promise<number> {
  const { rows } = await h.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM tasks WHERE flow_id = ANY($1::uuid[]) AND status = 'succeeded'`,
    [flowIds],
  );
  return rows[0].n;
}

describe('flows under faults', () => {
  let second: RunningApp | undefined;
  afterAll(async () => {
    await second?.stop();
  });

  it('finish every task once, in order, with all parents seen, through a worker and a gateway SIGKILL', async () => {
    second = await startApp('gateway', h.env);
    const ids: string[] = [];
    for (let n = 0; n < FLOWS; n++) {
      const res = await request(h.gateway.url, 'POST', '/flows', flow(n));
      expect(res.status).toBe(201);
      ids.push(res.body.id as string);
    }
    const total = FLOWS * LEVELS * WIDTH;
    await waitFor('a quarter of the tasks to succeed', async () =>
      (await succeeded(ids)) >= total / 4 ? true : undefined,
    );
    const atWorkerKill = await succeeded(ids);
    await h.worker!.kill();
    h.worker = await startApp('worker', h.env);
    await waitFor(
      'half of the tasks to succeed',
      async () => ((await succeeded(ids)) >= total / 2 ? true : undefined),
      60_000,
    );
    const atGatewayKill = await succeeded(ids);
    await second.kill();
    second = undefined;
    process.stdout.write(
      `flows under faults: ${total} tasks; ${atWorkerKill} done at the worker kill, ${atGatewayKill} at the gateway kill\n`,
    );
    expect(atGatewayKill).toBeLessThan(total);
    await waitFor(
      'every task to succeed',
      async () => ((await succeeded(ids)) === total ? true : undefined),
      120_000,
    );

    for (const id of ids) {
      expect((await request(h.gateway.url, 'GET', `/flows/${id}`)).body.status).toBe('succeeded');
    }
    const early = await h.db.query(
      `SELECT c.id FROM tasks c JOIN task_parents e ON e.task_id = c.id JOIN tasks p ON p.id = e.parent_id
       WHERE c.flow_id = ANY($1::uuid[]) AND c.started_at < p.finished_at`,
      [ids],
    );
    expect(early.rows).toEqual([]);
    const twice = await h.db.query(
      `SELECT task_id FROM task_attempts a JOIN tasks t ON t.id = a.task_id
       WHERE t.flow_id = ANY($1::uuid[]) AND a.status = 'succeeded' GROUP BY task_id HAVING count(*) > 1`,
      [ids],
    );
    expect(twice.rows).toEqual([]);
    // Each level adds 1 to the sums of the WIDTH tasks above: 1, 5, 21, 85, 341.
    const last = await h.db.query<{ sum: number }>(
      `SELECT (result->>'sum')::int AS sum FROM tasks WHERE flow_id = ANY($1::uuid[]) AND flow_key LIKE $2`,
      [ids, `l${LEVELS - 1}.%`],
    );
    expect(last.rows.map((r) => r.sum)).toEqual(Array(FLOWS * WIDTH).fill(341));
  });
});
