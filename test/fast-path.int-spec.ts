import { createServer, connect, Server, Socket } from 'node:net';
import { allFinished, harness, metricValue, request, startApp, waitFor } from './support';

/**
 * A submitted task due now is published by its gateway right after the commit; its outbox row,
 * due OUTBOX_FALLBACK_MS later, is removed a second after the broker confirmed it (marking the
 * task queued unless a report came first), and is the fallback when that gateway dies first.
 */
const h = harness();
const TASK = { type: 'demo.work', payload: { seconds: 0, cpuBound: false } };

async function outboxRows(ids: string[]): Promise<{ due: number; later: number }> {
  const { rows } = await h.db.query<{ due: number; later: number }>(
    `SELECT count(*) FILTER (WHERE available_at <= now())::int AS due,
       count(*) FILTER (WHERE available_at > now())::int AS later
     FROM outbox WHERE task_id = ANY($1::uuid[])`,
    [ids],
  );
  return rows[0];
}

async function submit(base: string): Promise<string[]> {
  const single = await Promise.all(Array.from({ length: 10 }, () => request(base, 'POST', '/tasks', TASK)));
  const batch = await request(base, 'POST', '/tasks/batch', {
    items: Array.from({ length: 10 }, () => TASK),
  });
  for (const r of [...single, batch]) expect(r.status).toBe(201);
  return [...single.map((r) => r.body.id as string), ...batch.body.items.map((t: { id: string }) => t.id)];
}

describe('publishing right after commit', () => {
  it('runs submitted tasks at once with no relay pass, and removes their outbox rows', async () => {
    // Its relay looks once a minute and its fallback is a minute away: only the fast path is quick.
    const gateway = await startApp('gateway', h.env, {
      OUTBOX_POLL_MS: '60000',
      OUTBOX_FALLBACK_MS: '60000',
    });
    try {
      const ids = await submit(gateway.url);
      expect(await allFinished(h.db, ids, 20_000)).toEqual({ succeeded: 20 });
      expect(await outboxRows(ids)).toEqual({ due: 0, later: 0 });
      // Marked queued (when it was published) even where the worker's report came first.
      await waitFor('every task to show when it was queued', async () => {
        const { rows } = await h.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[]) AND queued_at <= started_at`,
          [ids],
        );
        return rows[0].n === 20 ? true : undefined;
      });
      expect(await metricValue(gateway.url, 'conveyor_outbox_published_total')).toBeGreaterThanOrEqual(20);
      // A second after each publish, its queued mark finds the task finished and writes nothing.
      const versions = async () =>
        (
          await h.db.query<{ id: string; v: string }>(
            `SELECT id, xmin::text AS v FROM tasks WHERE id = ANY($1::uuid[]) ORDER BY id`,
            [ids],
          )
        ).rows;
      const whenFinished = await versions();
      const marks = await waitFor('the queued marks of all 20', async () => {
        const count = async (result: string) =>
          (await metricValue(gateway.url, 'conveyor_outbox_queued_marks_total', `result="${result}"`)) ?? 0;
        const [marked, skipped] = [await count('marked'), await count('skipped')];
        return marked + skipped >= 20 ? { marked, skipped } : undefined;
      });
      expect(marks.marked + marks.skipped).toBe(20);
      expect(marks.skipped).toBeGreaterThan(0);
      expect(await versions()).toEqual(whenFinished);
    } finally {
      await gateway.stop();
    }
  });

  it('loses nothing when the gateway is killed between the commit and the publish', async () => {
    const relay = await brokerRelay(new URL(h.env.GATEWAY_AMQP_URL));
    const gateway = await startApp('gateway', h.env, { OUTBOX_FALLBACK_MS: '2000', AMQP_URL: relay.url });
    const publishedBefore = (await metricValue(h.gateway.url, 'conveyor_outbox_published_total')) ?? 0;
    let ids: string[] = [];
    // From here on nothing this gateway sends reaches the broker: its publishes never get out.
    relay.hold();
    try {
      ids = await submit(gateway.url);
      const rows = await outboxRows(ids);
      expect(rows.due + rows.later).toBe(20);
      expect(
        (await h.db.query(`SELECT DISTINCT status FROM tasks WHERE id = ANY($1::uuid[])`, [ids])).rows,
      ).toEqual([{ status: 'pending' }]);
    } finally {
      await gateway.kill();
      await relay.close();
    }
    // The suite's own gateway finds the rows when they fall due and publishes them.
    expect(await allFinished(h.db, ids, 60_000)).toEqual({ succeeded: 20 });
    const { rows } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM task_attempts WHERE task_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(rows[0].n).toBe(20);
    await waitFor('the relay to count its publishes', async () =>
      ((await metricValue(h.gateway.url, 'conveyor_outbox_published_total')) ?? 0) >= publishedBefore + 20
        ? true
        : undefined,
    );
  });
});

/**
 * A TCP relay in front of the broker. Once held, what the client sends is dropped, never
 * forwarded: a message "published" then is lost with the process, as if it died before sending it.
 */
async function brokerRelay(target: URL): Promise<{ url: string; hold(): void; close(): Promise<void> }> {
  let holding = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const broker = connect(Number(target.port), target.hostname);
    const end = () => [client, broker].forEach((s) => s.destroy());
    for (const s of [client, broker]) {
      sockets.add(s);
      s.on('close', end).on('error', end);
    }
    client.on('data', (chunk) => {
      if (!holding) broker.write(chunk);
    });
    broker.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url: url.toString(),
    hold: () => (holding = true),
    close: () => {
      sockets.forEach((s) => s.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
