import * as amqplib from 'amqplib';
import { eventMessage, generateEvent } from '../tools/events-generator';
import type { CasinoEvent } from '@conveyor/events';
import {
  RunningApp,
  browseQueue,
  connectDb,
  eventLog,
  harness,
  metricValue,
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
async function publishEvents(events: CasinoEvent[]): Promise<void> {
  const conn = await amqplib.connect(h.env.AMQP_URL);
  try {
    const ch = await conn.createConfirmChannel();
    for (let i = 0; i < events.length; i += 1000) {
      for (const event of events.slice(i, i + 1000)) {
        const m = eventMessage([event], false);
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
    const publishing = publishEvents(ids.map((id) => generateEvent(id)));
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

  it('answers 503 for the statistics while Redis is down, prices events from the provider meanwhile, and counts them all once it is back', async () => {
    const before = await total();
    const first = Date.now() * 1000;
    const ids = Array.from({ length: 50 }, (_, i) => first + i);
    // Half are bets in currencies the events rate table converts, half need no table.
    const events: CasinoEvent[] = ids.map((id, i) =>
      i % 2 === 0
        ? {
            ...generateEvent(id),
            type: 'bet',
            game_id: 100,
            amount: 100 + i,
            currency: i % 4 ? 'USD' : 'BTC',
          }
        : { id, player_id: 10, game_id: 100, type: 'game_start', created_at: new Date().toISOString() },
    );
    const withoutStore = () =>
      metricValue(h.worker!.url, 'conveyor_events_rates_lookups_total', 'served="without-store"').then(
        (n) => n ?? 0,
      );
    const fallbacks = await withoutStore();
    stack('redis-stop');
    const stopped = Date.now();
    try {
      const stats = await request(h.gateway.url, 'GET', '/materialized');
      expect([stats.status, stats.body.message]).toEqual([
        503,
        'the statistics store (Redis) is unavailable; retry shortly',
      ]);
      expect((await request(h.gateway.url, 'GET', '/events/recent')).status).toBe(503);
      await publishEvents(events);
      // The outage outlasts the worker's wait for a table (EVENTS_RATES_WAIT_MS, 1.5 s here), which
      // used to dead-letter every priced event: the worker asks the provider itself instead.
      await waitFor(
        'the worker to take every event, with Redis down past the wait for a table',
        async () => {
          const enrich = await queueInfo(h.env, 'conveyor.events.enrich');
          return enrich.messages === 0 && Date.now() - stopped > 3000 ? true : undefined;
        },
        60_000,
        100,
      );
      expect(await withoutStore()).toBeGreaterThan(fallbacks);
    } finally {
      stack('redis-start');
    }
    await waitFor(
      'every event counted',
      () => Promise.resolve(ids.every((id) => log.some((l) => l.id === id)) ? true : undefined),
      60_000,
      250,
    );
    await waitFor('the statistics to answer again', async () =>
      (await request(h.gateway.url, 'GET', '/materialized')).status === 200 ? true : undefined,
    );
    const dead = new Set((await browseQueue(h.env, 'conveyor.dead')).map((m) => m.messageId));
    expect(ids.filter((id) => dead.has(`event-${id}`))).toEqual([]);
    const counted = log.filter((l) => ids.includes(l.id as number));
    expect(counted.length).toBe(ids.length);
    expect(new Set(counted.map((l) => l.id)).size).toBe(ids.length);
    expect((await total()) - before).toBe(ids.length);
    process.stdout.write(
      'events with Redis down: 25 of 50 priced from the provider directly, 50 counted once, none dead-lettered\n',
    );
  });

  it('keeps enriched events unacked while PostgreSQL is down, and finishes them when it returns', async () => {
    const before = await total();
    const first = Date.now() * 1000;
    const ids = Array.from({ length: 200 }, (_, i) => first + i);
    await h.db.end(); // it would not survive the stop
    stack('pg-stop');
    try {
      await publishEvents(ids.map((id) => generateEvent(id)));
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
