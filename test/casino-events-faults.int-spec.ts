import * as amqplib from 'amqplib';
import { eventMessage, generateEvent } from '../tools/events-generator';
import {
  RunningApp,
  browseQueue,
  connectDb,
  eventLog,
  harness,
  queueInfo,
  request,
  stack,
  startApp,
  waitFor,
} from './support';

/** The casino event stream under faults: a worker killed mid-stream, PostgreSQL stopped. */
const h = harness({ simulator: true });
let log: Record<string, unknown>[];
const total = async () => (await request(h.gateway.url, 'GET', '/materialized')).body.events_total as number;

/** Publishes events one per message, as the source's publisher does, through one confirm channel. */
async function publishEvents(ids: number[]): Promise<void> {
  const conn = await amqplib.connect(h.env.AMQP_URL);
  try {
    const ch = await conn.createConfirmChannel();
    for (let i = 0; i < ids.length; i += 1000) {
      for (const id of ids.slice(i, i + 1000)) {
        const m = eventMessage([generateEvent(id)], false);
        ch.publish('conveyor.events', m.routingKey, m.body, m.options);
      }
      await ch.waitForConfirms();
    }
    await ch.close();
  } finally {
    await conn.close();
  }
}

/** Both event queues empty and unacked nothing: every event was settled one way or another. */
const drained = () =>
  waitFor(
    'the event queues to drain',
    async () => {
      const [enrich, enriched] = await Promise.all([
        queueInfo(h.env, 'conveyor.events.enrich'),
        queueInfo(h.env, 'conveyor.events.enriched'),
      ]);
      return enrich.messages + enriched.messages === 0 ? true : undefined;
    },
    120_000,
    250,
  );

beforeAll(() => {
  log = eventLog(h.gateway);
});

describe('casino events under faults', () => {
  let second: RunningApp | undefined;
  afterAll(async () => {
    await second?.stop();
  });

  it('counts 20,000 events exactly once when one of two workers is killed with SIGKILL mid-stream', async () => {
    second = await startApp('worker', h.env, h.sim.providerEnv);
    const before = await total();
    const first = Date.now() * 1000;
    const ids = Array.from({ length: 20_000 }, (_, i) => first + i);
    const publishing = publishEvents(ids);
    const atKill = await waitFor(
      'a quarter of them counted',
      async () => {
        const n = (await total()) - before;
        return n >= 5000 ? n : undefined;
      },
      120_000,
      20,
    );
    await second.kill();
    second = undefined;
    await publishing;
    const counted = await waitFor(
      'all 20,000 counted',
      async () => {
        const n = (await total()) - before;
        return n >= 20_000 ? n : undefined;
      },
      180_000,
      250,
    );
    await drained();
    const after = (await total()) - before;
    const mine = new Set(ids);
    const lines = log.filter((l) => mine.has(l.id as number));
    const distinct = new Set(lines.map((l) => l.id));
    process.stdout.write(
      `worker kill -9 mid-stream: ${atKill} of 20000 counted at the kill; events_total +${after}; ` +
        `${lines.length} log lines, ${distinct.size} distinct ids\n`,
    );
    expect([counted, after]).toEqual([20_000, 20_000]);
    expect([lines.length, distinct.size]).toEqual([20_000, 20_000]);
  });

  it('answers 503 for the statistics while Redis is down, and counts the events held meanwhile once it is back', async () => {
    const before = await total();
    const first = Date.now() * 1000;
    const ids = Array.from({ length: 50 }, (_, i) => first + i);
    stack('redis-stop');
    try {
      const stats = await request(h.gateway.url, 'GET', '/materialized');
      expect([stats.status, stats.body.message]).toEqual([
        503,
        'the statistics store (Redis) is unavailable; retry shortly',
      ]);
      expect((await request(h.gateway.url, 'GET', '/events/recent')).status).toBe(503);
      await publishEvents(ids);
    } finally {
      stack('redis-start');
    }
    // Events without an amount need no rate table; the others wait for it (Redis) or are
    // dead-lettered after EVENTS_RATES_WAIT_MS. Every event ends one way or the other, once.
    await waitFor(
      'every event counted or dead-lettered',
      async () => {
        const dead = new Set((await browseQueue(h.env, 'conveyor.dead')).map((m) => m.messageId));
        return ids.every((id) => log.some((l) => l.id === id) || dead.has(`event-${id}`)) ? true : undefined;
      },
      60_000,
      250,
    );
    await waitFor('the statistics to answer again', async () =>
      (await request(h.gateway.url, 'GET', '/materialized')).status === 200 ? true : undefined,
    );
    const counted = log.filter((l) => ids.includes(l.id as number));
    expect(counted.length).toBeGreaterThan(0);
    expect(new Set(counted.map((l) => l.id)).size).toBe(counted.length);
    expect((await total()) - before).toBe(counted.length);
  });

  it('keeps enriched events unacked while PostgreSQL is down, and finishes them when it returns', async () => {
    const before = await total();
    const first = Date.now() * 1000;
    const ids = Array.from({ length: 200 }, (_, i) => first + i);
    await h.db.end(); // it would not survive the stop
    stack('pg-stop');
    try {
      await publishEvents(ids);
      // The workers did their part; the gateway holds the enriched messages, counting nothing.
      // (The management figures lag by seconds, so this waits for them to show the messages.)
      await waitFor(
        'the enriched events to reach the gateway',
        async () => {
          const q = await queueInfo(h.env, 'conveyor.events.enriched');
          return q.messages >= 1 ? true : undefined;
        },
        30_000,
        250,
      );
      expect(await total()).toBe(before);
    } finally {
      stack('pg-start');
      h.db = await connectDb(h.env);
    }
    await waitFor(
      'all 200 counted',
      async () => ((await total()) - before === 200 ? true : undefined),
      60_000,
      250,
    );
    const lines = log.filter((l) => ids.includes(l.id as number));
    expect(lines).toHaveLength(200);
    // The players were read once PostgreSQL was back, not made up while it was down.
    const { rows } = await h.db.query<{ id: number; email: string | null }>(
      'SELECT id, email FROM users WHERE id BETWEEN 10 AND 19',
    );
    const emails = new Map(rows.map((r) => [r.id, r.email ?? '']));
    const wrong = lines.filter(
      (l) => (l.player as { email: string }).email !== (emails.get(l.player_id as number) ?? ''),
    );
    expect(wrong).toEqual([]);
  });
});
