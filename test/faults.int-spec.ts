import { DELIVERY_LIMIT } from '@conveyor/messaging';
import {
  RunningApp,
  allFinished,
  harness,
  metricValue,
  request,
  startApp,
  statusCounts,
  waitFor,
} from './support';

const h = harness();

async function submitMany(url: string, n: number, payload: (i: number) => object): Promise<string[]> {
  const items = Array.from({ length: n }, (_, i) => ({ type: 'demo.work', payload: payload(i) }));
  const res = await request(url, 'POST', '/tasks/batch', { items });
  expect(res.status).toBe(201);
  return res.body.items.map((t: { id: string }) => t.id);
}

describe('faults', () => {
  it('loses nothing when a worker is killed with SIGKILL in the middle of CPU and IO tasks', async () => {
    const ids = await submitMany(h.gateway.url, 200, (i) => ({
      seconds: i % 4 === 0 ? 0.1 : 1,
      cpuBound: i % 4 === 0,
    }));
    await waitFor('many tasks to be running', async () =>
      ((await statusCounts(h.db, ids)).running ?? 0) >= 50 ? true : undefined,
    );
    const before = await statusCounts(h.db, ids);
    await h.worker!.kill();
    const killedAt = Date.now();
    h.worker = await startApp('worker', h.env);
    const final = await allFinished(h.db, ids);
    process.stdout.write(
      `worker kill -9: ${ids.length} tasks, ${before.running ?? 0} running and ${before.succeeded ?? 0} done at the kill; ` +
        `all terminal ${Date.now() - killedAt} ms later: ${JSON.stringify(final)}\n`,
    );
    expect(final).toEqual({ succeeded: 200 });
  });

  it('loses nothing when the gateway is killed with SIGKILL before its relay published', async () => {
    // A relay that only looks once a minute, and is not woken by commits: this gateway publishes
    // nothing it accepts before the kill.
    const slow = await startApp('gateway', h.env, {
      OUTBOX_POLL_MS: '60000',
      OUTBOX_WAKE_ON_COMMIT: 'false',
    });
    await new Promise((r) => setTimeout(r, 300)); // let its first (empty) relay pass go by
    const ids = await submitMany(slow.url, 100, () => ({ seconds: 0, cpuBound: false }));
    const single = await request(slow.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 0, cpuBound: false },
    });
    ids.push(single.body.id as string);
    // It published none of them. (Their outbox rows are due: the suite's gateway, polling every
    // 100 ms, may take some already, so counting the rows here would race with it.)
    expect((await metricValue(slow.url, 'conveyor_outbox_published_total')) ?? 0).toBe(0);
    await slow.kill();
    // The long-running gateway of this suite has its own relay: it publishes the orphaned rows.
    const final = await allFinished(h.db, ids);
    expect(final).toEqual({ succeeded: 101 });
  });

  it('creates exactly one task per Idempotency-Key under 200 concurrent requests', async () => {
    const run = Date.now();
    const keys = Array.from({ length: 20 }, (_, i) => `race-${run}-${i}`);
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        request(
          h.gateway.url,
          'POST',
          '/tasks',
          { type: 'demo.work', payload: { seconds: 0, cpuBound: false } },
          { 'idempotency-key': keys[i % 20] },
        ),
      ),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(20);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(180);
    const idsByKey = new Map<string, Set<string>>();
    replies.forEach((r, i) =>
      idsByKey.set(keys[i % 20], (idsByKey.get(keys[i % 20]) ?? new Set()).add(r.body.id)),
    );
    for (const ids of idsByKey.values()) expect(ids.size).toBe(1);
    const { rows } = await h.db.query(
      'SELECT count(*)::int AS n FROM tasks WHERE idempotency_key = ANY($1)',
      [keys],
    );
    expect(rows[0].n).toBe(20);
  });

  it('dead-letters a task whose handler crashes the worker every time, while other tasks keep flowing', async () => {
    // A worker that allows the crash drill, started again each time it dies, as a supervisor would.
    await h.worker!.stop();
    let crashes = 0;
    let supervising = true;
    const env = { WORKER_FAULT_DRILLS: 'true' };
    let worker: RunningApp | undefined;
    const supervisor = (async () => {
      while (supervising) {
        try {
          const started = await startApp('worker', h.env, env);
          worker = started;
          // Stopping may have begun while this one started: then nobody else would stop it.
          if (!supervising) {
            await started.stop();
            break;
          }
          const { proc } = started;
          if (proc.exitCode === null && proc.signalCode === null)
            await new Promise((r) => proc.once('exit', r));
        } catch {
          // it died while starting: the drill message reached it first
        }
        if (supervising) crashes++;
      }
    })();

    const started = Date.now();
    const crash = await request(h.gateway.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 0, cpuBound: false, crash: true },
      maxAttempts: 1,
    });
    expect(crash.status).toBe(201);
    // Other work keeps arriving meanwhile: 200 tasks in waves, over the crashes.
    const others: string[] = [];
    for (let wave = 0; wave < 10; wave++) {
      others.push(...(await submitMany(h.gateway.url, 20, () => ({ seconds: 0, cpuBound: false }))));
      await new Promise((r) => setTimeout(r, 500));
    }
    const dead = await waitFor(
      'the crashing task to be dead',
      async () => {
        const { body } = await request(h.gateway.url, 'GET', `/tasks/${crash.body.id}`);
        return body.status === 'dead' ? body : undefined;
      },
      120_000,
      250,
    );
    const deadAfter = Date.now() - started;
    const final = await allFinished(h.db, others);
    supervising = false;
    await worker?.stop();
    await supervisor;
    h.worker = await startApp('worker', h.env);

    const { rows } = await h.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1) AND attempts > 1',
      [others],
    );
    process.stdout.write(
      `crash drill: task dead after ${crashes} worker crashes in ${deadAfter} ms; other tasks: ` +
        `${JSON.stringify(final)}, ${rows[0].n} of them ran again after hitting the delivery limit beside it\n`,
    );
    expect(dead.error).toMatchObject({ code: 'DELIVERY_LIMIT' });
    expect(dead.attempts).toBe(1);
    expect(crashes).toBeGreaterThanOrEqual(DELIVERY_LIMIT);
    expect(final).toEqual({ succeeded: 200 });
  });
});
