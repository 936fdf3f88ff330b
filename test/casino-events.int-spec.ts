import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ROOT,
  deleteKeys,
  eventLog,
  harness,
  protocEncode,
  publishRaw,
  recentEvent,
  request,
  startApp,
  waitFor,
  waitForMessages,
} from './support';

/**
 * The casino event stream end to end (casino-events.md): publishers (POST /events, any AMQP
 * client, protobuf or JSON), the worker's enrichment, the gateway's players, descriptions,
 * statistics and log; and what is refused, with the reason, while the stream goes on.
 */
// No table held in worker memory: the cold-cache case below starts from Redis alone.
const h = harness({
  simulator: true,
  workerEnv: { EVENTS_RATES_WAIT_MS: '1500', EVENTS_RATES_MEMORY_MS: '0' },
});
const PROTOBUF = 'application/x-protobuf';
let log: Record<string, unknown>[];
let next = Date.now() * 1000; // ids unique across runs of this spec
const newId = () => ++next;

const KEYS = [
  'id',
  'player_id',
  'game_id',
  'type',
  'amount',
  'currency',
  'has_won',
  'created_at',
  'amount_eur',
  'player',
  'description',
];

const materialized = async () => (await request(h.gateway.url, 'GET', '/materialized')).body;
const post = (body: unknown, headers: Record<string, string> = {}) =>
  request(h.gateway.url, 'POST', '/events', body, headers);

/** Publishes a message straight to the exchange, as an outside publisher; answers its message id. */
async function publish(
  body: Buffer | string,
  props: { contentType: string; type: string },
  key = 'event.bet',
) {
  const messageId = `casino-${newId()}`;
  await publishRaw(h.env, 'conveyor.events', key, body, { ...props, messageId });
  return messageId;
}

beforeAll(async () => {
  log = eventLog(h.gateway);
  await deleteKeys(h.env, 'conveyor:events:*');
  await h.db.query('DELETE FROM users WHERE id IN (10, 11, 12, 13, 14)');
  const john = await request(h.gateway.url, 'POST', '/users', {
    id: 11,
    name: 'John',
    email: 'john@example.com',
    lastSignedInAt: '2022-02-02T20:00:00Z',
  });
  expect(john.status).toBe(201);
});

describe('enrichment', () => {
  it('describes every form, with players found and missing, BTC, wins and EUR, in the recent list and the log', async () => {
    const ids = Array.from({ length: 7 }, newId);
    const events = [
      { id: ids[0], player_id: 10, game_id: 100, type: 'game_start', created_at: '2022-01-10T12:34:56Z' },
      { id: ids[1], player_id: 11, game_id: 100, type: 'game_stop', created_at: '2022-01-21T09:05:00Z' },
      {
        id: ids[2],
        player_id: 11,
        game_id: 101,
        type: 'bet',
        amount: 500,
        currency: 'USD',
        has_won: false,
        created_at: '2022-02-02T23:45:00Z',
      },
      {
        id: ids[3],
        player_id: 13,
        game_id: 107,
        type: 'bet',
        amount: 12345,
        currency: 'BTC',
        has_won: true,
        created_at: '2022-03-03T00:00:00Z',
      },
      {
        id: ids[4],
        player_id: 12,
        type: 'deposit',
        amount: 10000,
        currency: 'EUR',
        created_at: '2022-03-03T12:12:00Z',
      },
      {
        id: ids[5],
        player_id: 12,
        game_id: 999,
        type: 'bet',
        amount: 460,
        currency: 'EUR',
        has_won: false,
        created_at: '2022-04-11T18:00:00Z',
      },
      {
        id: ids[6],
        player_id: 11,
        type: 'deposit',
        amount: 2000,
        currency: 'GBP',
        created_at: '2022-05-22T07:30:00Z',
      },
    ];
    const res = await post({ events });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 7, ids });

    const descriptions = [
      'Player #10 started playing a game "Rocket Dice" on January 10th, 2022 at 12:34 UTC.',
      'Player #11 (john@example.com) stopped playing a game "Rocket Dice" on January 21st, 2022 at 09:05 UTC.',
      // 5 / 1.1577 = 4.3189 EUR
      'Player #11 (john@example.com) placed a bet of 5 USD (4.32 EUR) on a game "It\'s bananas!" on February 2nd, 2022 at 23:45 UTC.',
      // 0.00012345 BTC / 0.0000121 = 10.2025 EUR
      'Player #13 placed a bet of 0.00012345 BTC (10.2 EUR) on a game "#BarsAndBells" and won, on March 3rd, 2022 at 00:00 UTC.',
      'Player #12 made a deposit of 100 EUR on March 3rd, 2022 at 12:12 UTC.',
      'Player #12 placed a bet of 4.6 EUR on a game "game #999" on April 11th, 2022 at 18:00 UTC.',
      // 20 / 0.8804 = 22.7169 EUR
      'Player #11 (john@example.com) made a deposit of 20 GBP (22.72 EUR) on May 22nd, 2022 at 07:30 UTC.',
    ];
    const found = [];
    for (const id of ids) found.push(await recentEvent(h.gateway.url, id));
    expect(found.map((e) => e.description)).toEqual(descriptions);
    expect(found.map((e) => e.amount_eur)).toEqual([undefined, undefined, 432, 1020, 10000, 460, 2272]);
    expect(found[2].player).toEqual({
      email: 'john@example.com',
      last_signed_in_at: '2022-02-02T20:00:00.000Z',
    });
    expect(found[0].player).toEqual({ email: '', last_signed_in_at: null });
    // Exactly the contract's keys, in its order, less those that do not apply to the type.
    expect(Object.keys(found[2])).toEqual(KEYS);
    expect(Object.keys(found[4])).toEqual(KEYS.filter((k) => !['game_id', 'has_won'].includes(k)));
    expect(Object.keys(found[0])).toEqual(
      KEYS.filter((k) => !['amount', 'currency', 'has_won', 'amount_eur'].includes(k)),
    );
    // The same objects, one JSON line each, on the gateway's stdout.
    const logged = await waitFor('the log lines', () => {
      const lines = ids.map((id) => log.find((l) => l.id === id));
      return Promise.resolve(lines.every(Boolean) ? lines : undefined);
    });
    expect(logged).toEqual(found);
  });

  it('enriches a protobuf body encoded by protoc, published straight to the exchange and posted', async () => {
    const id = newId();
    const at = Date.parse('2022-02-02T23:45:00Z') / 1000;
    const text = `id: ${id} player_id: 11 game_id: 103 type: "bet" amount: 2000 currency: "GBP" created_at { seconds: ${at} }`;
    await publish(protocEncode('CasinoEvent', text), { contentType: PROTOBUF, type: 'casino.event' });
    const event = await recentEvent(h.gateway.url, id);
    expect(event).toMatchObject({ amount: 2000, currency: 'GBP', amount_eur: 2272, has_won: false });
    expect(event.description).toBe(
      'Player #11 (john@example.com) placed a bet of 20 GBP (22.72 EUR) on a game "Book of Dead" on February 2nd, 2022 at 23:45 UTC.',
    );

    const [a, b] = [newId(), newId()];
    const batch = protocEncode(
      'CasinoEventBatch',
      `events { id: ${a} player_id: 12 type: "deposit" amount: 100000 currency: "BTC" created_at { seconds: ${at} } }
       events { id: ${b} player_id: 12 game_id: 105 type: "game_start" created_at { seconds: ${at} } }`,
    );
    const res = await post(batch, {
      'content-type': `${PROTOBUF}; messageType=conveyor.events.v1.CasinoEventBatch`,
    });
    expect([res.status, res.body]).toEqual([202, { accepted: 2, ids: [a, b] }]);
    expect((await recentEvent(h.gateway.url, a)).description).toBe(
      'Player #12 made a deposit of 0.001 BTC (82.64 EUR) on February 2nd, 2022 at 23:45 UTC.',
    );
    expect((await recentEvent(h.gateway.url, b)).description).toMatch(
      /started playing a game "Western Gold 2"/,
    );
  });

  it('decodes with code generated from the contract .proto (npm run proto gives the same file)', () => {
    const out = mkdtempSync(join(tmpdir(), 'conveyor-proto-'));
    execFileSync(
      'protoc',
      [
        `--plugin=protoc-gen-es=${join(ROOT, 'node_modules/.bin/protoc-gen-es')}`,
        `--es_out=${out}`,
        '--es_opt=target=ts,import_extension=none',
        '-I',
        'libs/events/src/proto',
        'casino-event.proto',
      ],
      { cwd: ROOT },
    );
    const committed = readFileSync(join(ROOT, 'libs/events/src/gen/casino-event_pb.ts'), 'utf8');
    expect(readFileSync(join(out, 'casino-event_pb.ts'), 'utf8')).toBe(committed);
  });

  it('counts an event published twice once', async () => {
    const event = {
      id: newId(),
      player_id: 14,
      game_id: 100,
      type: 'game_start',
      created_at: '2022-01-01T00:00:00Z',
    };
    await recentEvent(h.gateway.url, (await post(event)).body.ids[0] as number);
    const before = (await materialized()).events_total as number;
    expect((await post(event)).status).toBe(202);
    const marker = { ...event, id: newId() };
    await post(marker);
    await recentEvent(h.gateway.url, marker.id);
    expect((await materialized()).events_total).toBe(before + 1); // the marker alone
    const recent = (await request(h.gateway.url, 'GET', '/events/recent?limit=100')).body.items as {
      id: number;
    }[];
    expect(recent.filter((e) => e.id === event.id)).toHaveLength(1);
    expect(log.filter((l) => l.id === event.id)).toHaveLength(1);
  });
});

describe('refusals', () => {
  it('answers 400 naming the field for a bad event over HTTP, and publishes nothing of its request', async () => {
    const good = {
      id: newId(),
      player_id: 11,
      game_id: 100,
      type: 'game_start',
      created_at: '2022-01-01T00:00:00Z',
    };
    const cases: [unknown, RegExp][] = [
      [
        { events: [good, { ...good, id: newId(), type: 'bet', currency: 'EUR' }] },
        /events\[1\]\.amount: required for a bet/,
      ],
      [{ ...good, type: 'jackpot' }, /type: must be one of game_start, bet, deposit, game_stop/],
      [{ ...good, id: undefined }, /id: a positive integer is required/],
      [{ ...good, type: 'deposit', amount: -5, currency: 'EUR' }, /amount: must be a non-negative integer/],
      [{ ...good, type: 'bet', amount: 5 }, /currency: required for a bet/],
      [{ ...good, created_at: 'yesterday' }, /created_at: an ISO 8601 date-time is required/],
      [{ ...good, colour: 'red' }, /colour: not a field of a casino event/],
      [{ events: [] }, /events: a non-empty array is required/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect([res.status, res.body.message]).toEqual([400, expect.stringMatching(message)]);
    }
    const garbage = await post(Buffer.from([0x0a, 0xff]), { 'content-type': PROTOBUF });
    expect([garbage.status, garbage.body.message]).toEqual([
      400,
      expect.stringMatching(/not a protobuf CasinoEvent/),
    ]);
    // The first good event of the refused batch was not published either.
    const marker = { ...good, id: newId() };
    await post(marker);
    await recentEvent(h.gateway.url, marker.id);
    expect(log.some((l) => l.id === good.id)).toBe(false);
  });

  it('dead-letters every malformed message with the reason, and the next good event is still enriched', async () => {
    const at = Date.parse('2022-02-02T23:45:00Z') / 1000;
    const json = (e: object) => JSON.stringify(e);
    const ok = { player_id: 11, game_id: 100, type: 'game_start', created_at: '2022-02-02T23:45:00Z' };
    const sent: [string, string][] = [
      [
        await publish(Buffer.from([0x0a, 0xff]), { contentType: PROTOBUF, type: 'casino.event' }),
        'UNDECODABLE',
      ],
      [
        await publish(json({ ...ok, id: newId() }), {
          contentType: 'application/json',
          type: 'casino.weird',
        }),
        'UNKNOWN_MESSAGE_TYPE',
      ],
      [
        await publish(json({ ...ok, id: newId() }), { contentType: 'text/plain', type: 'casino.event' }),
        'UNSUPPORTED_CONTENT_TYPE',
      ],
      [await publish(json(ok), { contentType: 'application/json', type: 'casino.event' }), 'INVALID_EVENT'],
      [
        await publish(json({ ...ok, id: newId(), type: 'bet', currency: 'USD' }), {
          contentType: 'application/json',
          type: 'casino.event',
        }),
        'INVALID_EVENT',
      ],
      [
        await publish(
          protocEncode(
            'CasinoEvent',
            `id: ${newId()} player_id: 11 type: "bet" amount: 5 created_at { seconds: ${at} }`,
          ),
          {
            contentType: PROTOBUF,
            type: 'casino.event',
          },
        ),
        'INVALID_EVENT',
      ],
      [
        await publish(
          protocEncode(
            'CasinoEvent',
            `id: ${newId()} player_id: 11 type: "bet" amount: -5 currency: "EUR" created_at { seconds: ${at} }`,
          ),
          {
            contentType: PROTOBUF,
            type: 'casino.event',
          },
        ),
        'INVALID_EVENT',
      ],
      [await publish('not json', { contentType: 'application/json', type: 'casino.event' }), 'UNDECODABLE'],
    ];
    const goodId = newId();
    await publish(json({ ...ok, id: goodId }), { contentType: 'application/json', type: 'casino.event' });
    await recentEvent(h.gateway.url, goodId);
    const letters = await waitForMessages(
      h.env,
      'conveyor.dead',
      sent.map(
        ([messageId]) =>
          (m) =>
            m.messageId === messageId,
      ),
    );
    const reasons = letters.map(
      (m) =>
        JSON.parse(String(m.headers['x-conveyor-rejection'])) as {
          code: string;
          message: string;
          queue: string;
        },
    );
    expect(reasons.map((r) => r.code)).toEqual(sent.map(([, code]) => code));
    expect(reasons.every((r) => r.queue === 'conveyor.events.enrich')).toBe(true);
    expect(reasons[3].message).toBe('id: a positive integer is required');
    expect(reasons[4].message).toBe('amount: required for a bet');
    expect(reasons[5].message).toBe('currency: required for a bet');
    expect(reasons[6].message).toMatch(/^amount: must be a non-negative integer/);
  });

  it('dead-letters a currency the rate table lacks after the deadline, saying so', async () => {
    const messageId = await publish(
      JSON.stringify({
        id: newId(),
        player_id: 11,
        game_id: 100,
        type: 'bet',
        amount: 100,
        currency: 'XYZ',
        created_at: '2022-02-02T23:45:00Z',
      }),
      { contentType: 'application/json', type: 'casino.event' },
    );
    const sent = Date.now();
    const [letter] = await waitForMessages(h.env, 'conveyor.dead', [(m) => m.messageId === messageId]);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(1500); // EVENTS_RATES_WAIT_MS
    expect(JSON.parse(String(letter.headers['x-conveyor-rejection']))).toMatchObject({
      code: 'UNKNOWN_CURRENCY',
      message: expect.stringMatching(
        /^currency XYZ: the events rate table of 2026-11-20 has no rate for it$/,
      ),
    });
  });

  it('with the events rate provider down on a cold cache, waits, then dead-letters; once it is back, enriches again', async () => {
    await deleteKeys(h.env, 'conveyor:events:rates:*');
    await h.sim.down();
    const bet = (id: number) =>
      JSON.stringify({
        id,
        player_id: 11,
        game_id: 100,
        type: 'bet',
        amount: 100,
        currency: 'USD',
        created_at: '2022-02-02T23:45:00Z',
      });
    const messageId = await publish(bet(newId()), { contentType: 'application/json', type: 'casino.event' });
    const sent = Date.now();
    try {
      const [letter] = await waitForMessages(h.env, 'conveyor.dead', [(m) => m.messageId === messageId]);
      expect(Date.now() - sent).toBeGreaterThanOrEqual(1500); // it waited for EVENTS_RATES_WAIT_MS
      expect(JSON.parse(String(letter.headers['x-conveyor-rejection']))).toMatchObject({
        code: 'RATES_UNAVAILABLE',
        message: expect.stringMatching(
          /^no events rate table within 1500 ms: events rate provider unreachable/,
        ),
      });
    } catch (err) {
      process.stderr.write(h.worker!.output().slice(-3000));
      throw err;
    } finally {
      await h.sim.up();
    }
    await deleteKeys(h.env, 'conveyor:events:rates:failure');
    const id = newId();
    await publish(bet(id), { contentType: 'application/json', type: 'casino.event' });
    expect((await recentEvent(h.gateway.url, id)).amount_eur).toBe(86); // 1 / 1.1577 = 0.8638 EUR
  });
});

describe('GET /materialized', () => {
  it('equals the statistics computed by hand for 1,000 fixed events', async () => {
    await deleteKeys(h.env, 'conveyor:events:*');
    const empty = await materialized();
    expect(empty).toEqual({
      events_total: 0,
      events_per_minute: 0,
      events_per_second_moving_average: 0,
      top_player_bets: null,
      top_player_wins: null,
      top_player_deposits: null,
    });
    // A fixed, varied set: player p = 10 + i % 7; every 3rd a bet (won when i % 11 == 0), every
    // 5th a deposit in EUR, the rest game starts and stops.
    type Fixed = {
      id: number;
      player_id: number;
      created_at: string;
      type: string;
      game_id?: number;
      amount?: number;
      currency?: string;
      has_won?: boolean;
    };
    const events = Array.from({ length: 1000 }, (_, i): Fixed => {
      const base = { id: 5_000_000 + i, player_id: 10 + (i % 7), created_at: '2022-06-01T10:00:00Z' };
      if (i % 3 === 0)
        return {
          ...base,
          game_id: 100 + (i % 10),
          type: 'bet',
          amount: 100 + i,
          currency: 'EUR',
          has_won: i % 11 === 0,
        };
      if (i % 5 === 0) return { ...base, type: 'deposit', amount: 1000 + i, currency: 'EUR' };
      return { ...base, game_id: 100, type: i % 2 ? 'game_start' : 'game_stop' };
    });
    const bets = new Map<number, number>();
    const wins = new Map<number, number>();
    const deposits = new Map<number, number>();
    const add = (m: Map<number, number>, k: number, v: number) => m.set(k, (m.get(k) ?? 0) + v);
    for (const e of events) {
      if (e.type === 'bet') add(bets, e.player_id, 1);
      if (e.type === 'bet' && e.has_won) add(wins, e.player_id, 1);
      if (e.type === 'deposit') add(deposits, e.player_id, e.amount!);
    }
    const top = (m: Map<number, number>) => {
      const [id, count] = [...m].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
      return { id, count };
    };
    for (let i = 0; i < 1000; i += 250)
      expect((await post({ events: events.slice(i, i + 250) })).status).toBe(202);
    const stats = await waitFor('all 1,000 counted', async () => {
      const s = await materialized();
      return s.events_total === 1000 ? s : undefined;
    });
    // Another gateway answers the same (the statistics live in Redis, not in a process).
    const other = await startApp('gateway', h.env, h.sim.providerEnv);
    try {
      expect((await request(other.url, 'GET', '/materialized')).body).toEqual(stats);
    } finally {
      await other.stop();
    }
    expect(stats).toEqual({
      events_total: 1000,
      events_per_minute: 1000, // all within the first minute
      events_per_second_moving_average: 16.67, // 1000 in the last 60 s, over 60
      top_player_bets: top(bets),
      top_player_wins: top(wins),
      top_player_deposits: top(deposits),
    });
  });
});
