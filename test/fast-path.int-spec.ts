import { createServer, connect, Server, Socket } from 'node:net';
import { allFinished, harness, metricValue, request, startApp, waitFor } from './support';

/**
 * A submitted task due now is stored queued and published by its gateway right after the commit;
 * its outbox row, due OUTBOX_FALLBACK_MS later, is removed once the broker confirmed it, and is the
 * fallback when that gateway dies first.
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
  const answered = [...single.map((r) => r.body), ...batch.body.items];
  // Stored queued with the commit, its first attempt on the way: no later write marks it.
  for (const t of answered) expect(t).toMatchObject({ status: 'queued', attempts: 1, queuedAt: t.createdAt });
  return answered.map((t: { id: string }) => t.id);
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
      expect(await metricValue(gateway.url, 'conveyor_outbox_published_total')).toBeGreaterThanOrEqual(20);
      // Queued by the insert itself (queued_at is its created_at), not by a mark after the publish.
      const { rows } = await h.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tasks
         WHERE id = ANY($1::uuid[]) AND queued_at = created_at AND queued_at <= started_at AND attempts = 1`,
        [ids],
      );
      expect(rows[0].n).toBe(20);
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
      ).toEqual([{ status: 'queued' }]);
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
