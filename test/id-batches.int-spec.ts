import { allFinished, harness, request, waitFor } from './support';

/** Slots of 2 s: a whole 15-slot window takes 30 s. */
const SLOT_MS = 2000;
const h = harness({ gatewayEnv: { ID_BATCH_SLOT_SECONDS: String(SLOT_MS / 1000) } });

async function batchCount(): Promise<number> {
  return (await h.db.query<{ n: number }>('SELECT count(*)::int AS n FROM id_batches')).rows[0].n;
}

async function taskIdsOf(batchId: string): Promise<string[]> {
  const { rows } = await h.db.query<{ id: string }>(`SELECT id FROM tasks WHERE payload ->> 'batchId' = $1`, [
    batchId,
  ]);
  return rows.map((r) => r.id);
}

function materialized(batchId: string) {
  return waitFor(`batch ${batchId} to have all its tasks`, async () => {
    const { body } = await request(h.gateway.url, 'GET', `/id-batches/${batchId}`);
    return body.materialized === body.total ? body : undefined;
  });
}

describe('ID batches', () => {
  it('runs each ID of the worked example (rpm 2, IDs 1001..1040) in its slot and upserts the users', async () => {
    await h.db.query('DELETE FROM users WHERE id BETWEEN 1001 AND 1040');
    await h.db.query(
      `INSERT INTO users (id, name, email, process_count) VALUES (1001, 'Known', 'known-1001@example.com', 4)`,
    );
    const startAt = new Date(Date.now() + 3000);
    const ids = Array.from({ length: 40 }, (_, i) => 1001 + i);
    const created = await request(h.gateway.url, 'POST', '/id-batches', {
      ids,
      rpm: 2,
      startAt: startAt.toISOString(),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ rpm: 2, total: 40, source: { kind: 'list', count: 40 } });
    const batch = created.body;
    await materialized(batch.id);

    const slots = (await request(h.gateway.url, 'GET', `/id-batches/${batch.id}/slots`)).body.items;
    expect(slots).toHaveLength(15);
    slots.forEach((s: { slot: number; ids: number[]; startsAt: string }, g: number) => {
      expect(s.slot).toBe(g);
      expect(s.ids).toEqual(g <= 9 ? [1001 + 2 * g, 1002 + 2 * g, 1031 + g] : [1001 + 2 * g, 1002 + 2 * g]);
      expect(new Date(s.startsAt).getTime()).toBe(startAt.getTime() + g * SLOT_MS);
    });

    const taskIds = await taskIdsOf(batch.id);
    expect(await allFinished(h.db, taskIds, 90_000)).toEqual({ succeeded: 40 });
    const { rows } = await h.db.query<{ user_id: number; run_at: Date; started_at: Date }>(
      `SELECT (payload ->> 'userId')::int AS user_id, run_at, started_at FROM tasks WHERE payload ->> 'batchId' = $1`,
      [batch.id],
    );
    const lateness: number[] = [];
    for (const r of rows) {
      const g = slots.findIndex((s: { ids: number[] }) => s.ids.includes(r.user_id));
      const slotStart = startAt.getTime() + g * SLOT_MS;
      // Never before its slot; started within its slot, give or take the relay's poll.
      expect(r.started_at.getTime()).toBeGreaterThanOrEqual(slotStart);
      expect(r.started_at.getTime()).toBeLessThan(slotStart + SLOT_MS + 500);
      lateness.push(r.started_at.getTime() - r.run_at.getTime());
    }
    process.stdout.write(
      `ID batch: 40 tasks started ${Math.max(...lateness)} ms after their due time at most\n`,
    );

    const users = await h.db.query<{
      id: number;
      process_count: number;
      last_processed_at: Date | null;
      name: string;
    }>(
      'SELECT id, name, process_count, last_processed_at FROM users WHERE id BETWEEN 1001 AND 1040 ORDER BY id',
    );
    expect(users.rows).toHaveLength(40);
    expect(users.rows[0]).toMatchObject({ id: 1001, name: 'Known', process_count: 5 });
    expect(users.rows[1]).toMatchObject({ id: 1002, name: 'user 1002', process_count: 1 });
    expect(users.rows.every((u) => u.last_processed_at !== null)).toBe(true);
    const counts = (await request(h.gateway.url, 'GET', `/id-batches/${batch.id}`)).body.counts;
    expect(counts).toEqual({ scheduled: 0, succeeded: 40 });
  });

  it('accepts a range of 1,000,000 IDs in well under a second, then cancels what has not started', async () => {
    const rssBefore = await gatewayRss();
    const started = performance.now();
    const created = await request(h.gateway.url, 'POST', '/id-batches', {
      range: { from: 1, to: 1_000_000 },
      rpm: 10_000,
    });
    const ms = performance.now() - started;
    const rssAfter = await gatewayRss();
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      total: 1_000_000,
      source: { kind: 'range', from: 1, to: 1_000_000 },
    });
    // The default window starts on the next quarter of the (shortened) hour.
    expect(new Date(created.body.startsAt).getTime() % (15 * SLOT_MS)).toBe(0);
    const deleted = await request(h.gateway.url, 'DELETE', `/id-batches/${created.body.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.cancelledAt).not.toBeNull();
    expect(deleted.body.counts.scheduled).toBe(0);
    expect(deleted.body.counts.pending ?? 0).toBe(0);
    process.stdout.write(
      `ID batch of 1,000,000 IDs accepted in ${ms.toFixed(0)} ms; gateway RSS ${rssBefore} → ${rssAfter} MiB\n`,
    );
    expect(ms).toBeLessThan(1000);
  });

  it('spreads the IDs that have not started again at a new rate, and cancels them on DELETE', async () => {
    const startAt = new Date(Date.now() + 600_000);
    const ids = Array.from({ length: 30 }, (_, i) => 7001 + i);
    const batch = (
      await request(h.gateway.url, 'POST', '/id-batches', { ids, rpm: 1, startAt: startAt.toISOString() })
    ).body;
    await materialized(batch.id);
    let slots = (await request(h.gateway.url, 'GET', `/id-batches/${batch.id}/slots`)).body.items;
    expect(slots.map((s: { count: number }) => s.count)).toEqual(Array(15).fill(2));
    expect(slots[0].ids).toEqual([7001, 7016]);

    const patched = await request(h.gateway.url, 'PATCH', `/id-batches/${batch.id}`, { rpm: 3 });
    expect(patched.status).toBe(200);
    expect(patched.body.rpm).toBe(3);
    slots = (await request(h.gateway.url, 'GET', `/id-batches/${batch.id}/slots`)).body.items;
    expect(slots.map((s: { count: number }) => s.count)).toEqual([...Array(10).fill(3), ...Array(5).fill(0)]);
    expect(slots[0].ids).toEqual([7001, 7002, 7003]);
    expect(slots[9].ids).toEqual([7028, 7029, 7030]);
    const { rows } = await h.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox o JOIN tasks t ON t.id = o.task_id WHERE t.payload ->> 'batchId' = $1 AND o.available_at <> t.run_at`,
      [batch.id],
    );
    expect(rows[0].n).toBe(0);

    const deleted = await request(h.gateway.url, 'DELETE', `/id-batches/${batch.id}`);
    expect(deleted.body.counts).toEqual({ scheduled: 0, cancelled: 30 });
    expect((await request(h.gateway.url, 'PATCH', `/id-batches/${batch.id}`, { rpm: 2 })).status).toBe(409);
  });

  it.each([
    [{ ids: [], rpm: 1 }, /ids must not be empty/],
    [{ ids: [1, 2, 2, 3], rpm: 1 }, /ids must not repeat \(duplicates are rejected\): 2/],
    [{ ids: [1, 2.5], rpm: 1 }, /ids must contain integers only/],
    [{ ids: [1, 'x'], rpm: 1 }, /ids must contain integers only/],
    [{ range: { from: 10, to: 9 }, rpm: 1 }, /range.from \(10\) must not be greater than range.to \(9\)/],
    [{ ids: Array.from({ length: 100_001 }, (_, i) => i + 1), rpm: 1 }, /at most 100000 IDs in list form/],
    [{ ids: [1], rpm: 0 }, /rpm must not be less than 1/],
    [{ ids: [1], rpm: 10_001 }, /rpm must not be greater than 10000/],
    [{ ids: [1], rpm: 1, startAt: '2020-01-01T00:00:00Z' }, /startAt must not be in the past/],
    [{ ids: [1], range: { from: 1, to: 2 }, rpm: 1 }, /give ids or range, not both/],
    [{ rpm: 1 }, /give ids/],
  ])('rejects %j with 400 naming the problem, writing nothing', async (body, message) => {
    const before = await batchCount();
    const res = await request(h.gateway.url, 'POST', '/id-batches', body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(message);
    expect(await batchCount()).toBe(before);
  });
});

async function gatewayRss(): Promise<number> {
  const text = await (await fetch(`${h.gateway.url}/metrics`)).text();
  const bytes = Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1]);
  return Math.round(bytes / 2 ** 20);
}
