import { randomUUID } from 'node:crypto';
import { harness, publishRaw, request, unknownTypeTask, waitFor, waitForTask } from './support';

/** Dead letters kept by the gateway: stored, filtered, replayed (a task, an event), discarded. */
const h = harness({ simulator: true });

interface Letter {
  id: string;
  queue: string | null;
  reason: string;
  taskId: string | null;
  messageId: string | null;
  routingKey: string | null;
  body: string | null;
  bodySize: number;
  truncated: boolean;
}

const list = async (query: string): Promise<Letter[]> => {
  const r = await request(h.gateway.url, 'GET', `/dead-letters?limit=100&${query}`);
  expect(r.status).toBe(200);
  return r.body.items as Letter[];
};

/** The stored letter with this message id, once the gateway has it. */
const stored = (messageId: string, notId?: string) =>
  waitFor(
    `the dead letter ${messageId} to be stored`,
    async () => (await list('')).find((l) => l.messageId === messageId && l.id !== notId),
    30_000,
    100,
  );

const replay = (body: Record<string, unknown>) =>
  request(h.gateway.url, 'POST', '/dead-letters/replay', body);

describe('dead letters', () => {
  it("stores a task's dead letter, replays it after a dry run, and the task runs again", async () => {
    const { id, body } = await unknownTypeTask(h.env, h.db);
    await waitForTask(h.gateway.url, id, 'dead');
    const letter = await stored(`${id}/1`);
    expect(letter).toMatchObject({
      queue: 'conveyor.tasks.normal.io',
      reason: 'UNKNOWN_TYPE',
      taskId: id,
      routingKey: 'task.normal.io.no.such.type',
      body: null,
      truncated: false,
    });
    const one = await request(h.gateway.url, 'GET', `/dead-letters/${letter.id}`);
    expect(Buffer.from(one.body.body as string, 'base64').toString()).toBe(body);
    expect((await list(`reason=UNKNOWN_TYPE&queue=conveyor.tasks.normal.io`)).map((l) => l.id)).toContain(
      letter.id,
    );

    const dry = await replay({ ids: [letter.id], dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, matched: 1, replayed: 1, skipped: 0 });
    expect((await request(h.gateway.url, 'GET', `/tasks/${id}`)).body.status).toBe('dead');
    expect((await request(h.gateway.url, 'GET', `/dead-letters/${letter.id}`)).status).toBe(200);

    const done = await replay({ ids: [letter.id] });
    expect(done.body).toMatchObject({ dryRun: false, matched: 1, replayed: 1, skipped: 0 });
    const task = await waitForTask(h.gateway.url, id, 'terminal');
    expect([task.status, task.attempts]).toEqual(['succeeded', 2]);
    expect((await request(h.gateway.url, 'GET', `/dead-letters/${letter.id}`)).status).toBe(404);
  });

  it("replays an event's dead letter to conveyor.events by filter, where it dies again as a new letter", async () => {
    const messageId = `event-bad-${randomUUID()}`;
    const event = JSON.stringify({
      id: Date.now(),
      player_id: 10,
      type: 'bet',
      amount: 100,
      currency: 'EUR',
      game_id: 100,
      created_at: '2022-02-02T23:45:00Z',
      colour: 'red', // an unknown field: INVALID_EVENT
    });
    await publishRaw(h.env, 'conveyor.events', 'event.bet', event, {
      messageId,
      contentType: 'application/json',
      type: 'casino.event',
    });
    const first = await stored(messageId);
    expect(first).toMatchObject({
      queue: 'conveyor.events.enrich',
      reason: 'INVALID_EVENT',
      routingKey: 'event.bet',
    });

    const r = await replay({ reason: 'INVALID_EVENT', queue: 'conveyor.events.enrich' });
    expect(r.status).toBe(200);
    expect(r.body.replayed).toBeGreaterThanOrEqual(1);
    const again = await stored(messageId, first.id);
    expect(again).toMatchObject({ reason: 'INVALID_EVENT', routingKey: 'event.bet' });
    expect(Number(again.id)).toBeGreaterThan(Number(first.id));
  });

  it('keeps 64 KiB of a 5 MB body, says so, and will not replay it', async () => {
    const messageId = `event-huge-${randomUUID()}`;
    const huge = Buffer.alloc(5 * 1024 * 1024, 0x41); // not JSON: UNDECODABLE
    await publishRaw(h.env, 'conveyor.events', 'event.bet', huge, {
      messageId,
      contentType: 'application/json',
      type: 'casino.event',
    });
    const letter = await stored(messageId);
    expect(letter).toMatchObject({ bodySize: 5 * 1024 * 1024, truncated: true });
    const one = await request(h.gateway.url, 'GET', `/dead-letters/${letter.id}`);
    expect(Buffer.from(one.body.body as string, 'base64').length).toBe(64 * 1024);
    const r = await replay({ ids: [letter.id] });
    expect(r.body).toMatchObject({
      matched: 1,
      replayed: 0,
      skipped: 1,
      notReplayed: [{ id: letter.id, reason: 'its body was stored truncated' }],
    });
    expect((await request(h.gateway.url, 'GET', `/dead-letters/${letter.id}`)).status).toBe(200);
  });

  it('discards by ids or filter, never everything by omission, and refuses bad input with a 400', async () => {
    const messageId = `dlx-${randomUUID()}`;
    await publishRaw(h.env, 'conveyor.dlx', '', 'not a task', { messageId });
    const letter = await stored(messageId);
    expect(letter.reason).toBe('UNROUTABLE');

    const bare = await request(h.gateway.url, 'DELETE', '/dead-letters');
    expect(bare.status).toBe(400);
    expect(bare.body.message).toContain('name ids or at least one of queue, reason, since, until');
    const cases: [string, string, string][] = [
      ['GET', '/dead-letters?since=yesterday', 'since must be an ISO 8601 date-time'],
      ['GET', '/dead-letters?ids=1,x', 'ids must be up to 1000 comma-separated ids'],
      ['GET', `/dead-letters?reason=${'x'.repeat(101)}`, 'reason must be at most 100 characters'],
      ['GET', '/dead-letters/abc', 'id must be a dead letter id'],
      ['DELETE', '/dead-letters?until=soon', 'until must be an ISO 8601 date-time'],
    ];
    for (const [method, path, message] of cases) {
      const r = await request(h.gateway.url, method, path);
      expect({ path, status: r.status }).toEqual({ path, status: 400 });
      expect(JSON.stringify(r.body)).toContain(message);
    }
    const badReplay = await replay({ ids: [17] });
    expect(badReplay.status).toBe(400);
    expect(JSON.stringify(badReplay.body)).toContain('each of ids must be a dead letter id');
    expect((await request(h.gateway.url, 'GET', `/dead-letters/${letter.id}`)).status).toBe(200);

    const gone = await request(h.gateway.url, 'DELETE', `/dead-letters?ids=${letter.id}`);
    expect([gone.status, gone.body]).toEqual([200, { deleted: 1 }]);
    expect((await request(h.gateway.url, 'GET', `/dead-letters/${letter.id}`)).status).toBe(404);
    const since = new Date(Date.now() + 3_600_000).toISOString();
    const none = await request(h.gateway.url, 'DELETE', `/dead-letters?since=${since}`);
    expect([none.status, none.body]).toEqual([200, { deleted: 0 }]);
  });
});
