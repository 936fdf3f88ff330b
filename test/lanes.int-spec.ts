import { setTimeout as sleep } from 'node:timers/promises';
import { allFinished, harness, request, statusCounts } from './support';

/**
 * The two lanes share the worker's slots: a high backlog drains as fast as a normal one, and a
 * high flood beyond capacity still lets normal work through. The worker is kept small (50 IO
 * slots, 10 of them kept for high work) so a flood this machine can send outruns it.
 */
const h = harness({
  workerEnv: { WORKER_IO_CONCURRENCY: '40', WORKER_HIGH_IO_CONCURRENCY: '10' },
  // Relay passes of 100 rows, so a due backlog takes many passes and the lanes' shares show.
  gatewayEnv: { OUTBOX_BATCH_SIZE: '100' },
});

async function submit(items: Record<string, unknown>[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < items.length; i += 1000) {
    const r = await request(h.gateway.url, 'POST', '/tasks/batch', { items: items.slice(i, i + 1000) });
    expect(r.status).toBe(201);
    ids.push(...r.body.items.map((t: { id: string }) => t.id));
  }
  return ids;
}

const tasks = (priority: string, seconds: number, n: number, runAt?: string) =>
  Array.from({ length: n }, () => ({
    type: 'demo.work',
    payload: { seconds, cpuBound: false },
    priority,
    ...(runAt && { runAt }),
  }));

/** Seconds from the moment the tasks became due to the last one's finish. */
async function drain(priority: string): Promise<number> {
  const dueAt = new Date(Date.now() + 4000);
  const ids = await submit(tasks(priority, 0.02, 10_000, dueAt.toISOString()));
  expect(Date.now()).toBeLessThan(dueAt.getTime()); // all of them were in before any was due
  expect(await allFinished(h.db, ids, 120_000)).toEqual({ succeeded: 10_000 });
  const { rows } = await h.db.query<{ last: Date }>(
    `SELECT max(finished_at) AS last FROM tasks WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return (rows[0].last.getTime() - dueAt.getTime()) / 1000;
}

describe('fair lanes', () => {
  it('drains 10,000 high-priority tasks at least 0.7 times as fast as 10,000 normal ones', async () => {
    const normalS = await drain('normal');
    const highS = await drain('high');
    process.stdout.write(
      `lanes: 10,000 tasks drained in ${normalS.toFixed(2)} s (normal), ${highS.toFixed(2)} s (high); ` +
        `high ÷ normal rate ${(normalS / highS).toFixed(2)}\n`,
    );
    expect(normalS / highS).toBeGreaterThanOrEqual(0.7);
  });

  it('publishes normal rows in the first passes behind 5,000 due high rows (4:1 shares at the relay)', async () => {
    const dueAt = new Date(Date.now() + 4000);
    const high = await submit(tasks('high', 0, 5000, dueAt.toISOString()));
    const normal = await submit(tasks('normal', 0, 50, new Date(dueAt.getTime() + 1).toISOString()));
    expect(Date.now()).toBeLessThan(dueAt.getTime());
    expect(await allFinished(h.db, [...high, ...normal], 120_000)).toEqual({ succeeded: 5050 });
    const { rows } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tasks
       WHERE id = ANY($1::uuid[]) AND queued_at < (SELECT max(queued_at) FROM tasks WHERE id = ANY($2::uuid[]))`,
      [high, normal],
    );
    process.stdout.write(
      `lanes: ${rows[0].n} of 5,000 due high rows were published before the last of 50 normal\n`,
    );
    // 80 high and 20 normal a pass: the normal rows go in the first three passes, not after 5,000.
    expect(rows[0].n).toBeLessThan(1000);
  });

  it('finishes 50 normal tasks within 10 s of submission during a 30 s high flood beyond capacity', async () => {
    const flood: string[] = [];
    const floodStart = Date.now();
    let normal: { ids: string[]; at: number; backlog: number } | undefined;
    // Open loop: 110 high tasks of 50 ms every 100 ms, about 1.1 times what 50 slots can run.
    for (let tick = 0; Date.now() - floodStart < 30_000; tick++) {
      const next = floodStart + tick * 100;
      if (Date.now() < next) await sleep(next - Date.now());
      flood.push(...(await submit(tasks('high', 0.05, 110))));
      if (!normal && Date.now() - floodStart >= 10_000) {
        const counts = await statusCounts(h.db, flood);
        const backlog = flood.length - (counts.succeeded ?? 0);
        normal = { at: Date.now(), ids: await submit(tasks('normal', 0.05, 50)), backlog };
      }
    }
    const floodEnd = Date.now();
    expect(normal).toBeDefined();
    const { rows } = await h.db.query<{ last: Date }>(
      `SELECT max(finished_at) AS last FROM tasks WHERE id = ANY($1::uuid[]) AND status = 'succeeded'`,
      [normal!.ids],
    );
    const counts = await statusCounts(h.db, normal!.ids);
    const unfinishedFlood = flood.length - ((await statusCounts(h.db, flood)).succeeded ?? 0);
    const tookS = rows[0].last ? (rows[0].last.getTime() - normal!.at) / 1000 : NaN;
    process.stdout.write(
      `lanes: flood of ${flood.length} high tasks over ${((floodEnd - floodStart) / 1000).toFixed(1)} s ` +
        `(${normal!.backlog} unfinished at 10 s, ${unfinishedFlood} at its end); 50 normal tasks done ` +
        `${tookS.toFixed(2)} s after submission\n`,
    );
    // The flood really was beyond capacity, and still was when it stopped.
    expect(normal!.backlog).toBeGreaterThan(500);
    expect(unfinishedFlood).toBeGreaterThan(normal!.backlog);
    expect(counts).toEqual({ succeeded: 50 });
    expect(tookS).toBeLessThan(10);
    expect(await allFinished(h.db, flood, 180_000)).toEqual({ succeeded: flood.length });
  });
});
