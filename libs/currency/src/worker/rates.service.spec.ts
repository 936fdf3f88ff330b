import { readFileSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Registry } from 'prom-client';
import { parseConfig } from '@conveyor/config';
import { RATES_KEYS, RatesService, RatesUnavailableError } from './rates.service';
import { RatesMetrics } from './rates.metrics';

const ECB = readFileSync(resolve(__dirname, '../../../../apps/provider-sim/fixtures/ecb-rates.xml'), 'utf8');

/**
 * The Redis commands the rate table uses, with expiry, kept in memory: GET, SET (EX, PX, NX) and the
 * compare-and-delete release script. Several services share one, like workers share a Redis.
 */
class FakeRedis {
  private readonly values = new Map<string, { value: string; until: number }>();
  readonly commands: string[] = [];

  get(key: string): Promise<string | null> {
    this.commands.push(`GET ${key}`);
    return Promise.resolve(this.read(key));
  }

  set(key: string, value: string, unit: 'EX' | 'PX', ttl: number, nx?: 'NX'): Promise<'OK' | null> {
    this.commands.push(`SET ${key}${nx ? ' NX' : ''}`);
    if (nx && this.read(key) !== null) return Promise.resolve(null);
    this.values.set(key, { value, until: Date.now() + (unit === 'EX' ? ttl * 1000 : ttl) });
    return Promise.resolve('OK');
  }

  /** Only the release script: delete KEYS[1] if it still holds ARGV[1]. */
  eval(_script: string, _keys: number, key: string, token: string): Promise<number> {
    this.commands.push(`RELEASE ${key}`);
    if (this.read(key) !== token) return Promise.resolve(0);
    this.values.delete(key);
    return Promise.resolve(1);
  }

  read(key: string): string | null {
    const entry = this.values.get(key);
    if (!entry || entry.until <= Date.now()) return null;
    return entry.value;
  }

  ttlMs(key: string): number {
    return (this.values.get(key)?.until ?? 0) - Date.now();
  }
}

/** A rate provider on loopback: answers the ECB fixture (or `status`) after `latencyMs`, counting hits since `set`. */
async function provider(): Promise<{
  url: string;
  hits: () => number;
  set: (o: object) => void;
  close: () => Promise<void>;
}> {
  let hits = 0;
  let behaviour = { latencyMs: 0, status: 200 };
  const server: Server = createServer((_req, res) => {
    hits++;
    setTimeout(
      () => res.writeHead(behaviour.status, { 'content-type': 'text/xml' }).end(ECB),
      behaviour.latencyMs,
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rates`,
    hits: () => hits,
    set: (o) => {
      behaviour = { latencyMs: 0, status: 200, ...o };
      hits = 0;
    },
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

describe('RatesService: the shared rate table behind its Redis lock', () => {
  let sim: Awaited<ReturnType<typeof provider>>;
  let redis: FakeRedis;
  let announced: unknown[];

  beforeAll(async () => {
    sim = await provider();
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    redis = new FakeRedis();
    announced = [];
    sim.set({});
  });

  /** One worker's service; `waitMs` bounds how long it waits for another worker's refresh. */
  function worker(waitMs = 2000) {
    const config = parseConfig({
      NODE_ENV: 'test',
      RATES_PROVIDER_URL: sim.url,
      RATES_PROVIDER_TIMEOUT_MS: '1000',
      RATES_LOCK_TTL_MS: '3000',
      RATES_WAIT_MS: String(waitMs),
      RATES_POLL_MS: '20',
      RATES_FAILURE_NOTE_MS: '1000',
    });
    const amqp = {
      publish: (_x: string, _k: string, body: unknown) => Promise.resolve(void announced.push(body)),
    };
    return new RatesService(redis as never, amqp as never, new RatesMetrics(new Registry()), config);
  }

  it('on a miss, takes the lock, fetches once, caches the table with its TTL, announces it and releases the lock', async () => {
    const table = await worker().table();
    expect(table.date).toBe('2026-11-20');
    expect(table.rates.USD).toBe('1.1577');
    expect(sim.hits()).toBe(1);
    expect(JSON.parse(redis.read(RATES_KEYS.table)!)).toEqual(table);
    expect(redis.ttlMs(RATES_KEYS.table)).toBeGreaterThan(3_590_000); // RATES_CACHE_TTL_SECONDS 3600
    expect(redis.read(RATES_KEYS.lock)).toBeNull();
    expect(announced).toEqual([expect.objectContaining({ date: '2026-11-20' })]);
    // a hit afterwards touches only the cache
    const before = redis.commands.length;
    await worker().table();
    expect(redis.commands.slice(before)).toEqual([`GET ${RATES_KEYS.table}`]);
    expect(sim.hits()).toBe(1);
  });

  it('lets one of many concurrent workers call the provider; the others wait for its table', async () => {
    sim.set({ latencyMs: 150 });
    const tables = await Promise.all(Array.from({ length: 8 }, () => worker().table()));
    expect(sim.hits()).toBe(1);
    expect(new Set(tables.map((t) => JSON.stringify(t))).size).toBe(1);
    expect(redis.commands.filter((c) => c === `SET ${RATES_KEYS.lock} NX`).length).toBeGreaterThan(8);
  });

  it('fails retryably at its deadline while another holder never delivers, and calls no provider', async () => {
    await redis.set(RATES_KEYS.lock, 'other-host:1:token', 'PX', 60_000, 'NX');
    const started = Date.now();
    await expect(worker(200).table()).rejects.toThrow(
      new RatesUnavailableError('no exchange-rate table within 200 ms (another worker is fetching it)'),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(sim.hits()).toBe(0);
    expect(redis.read(RATES_KEYS.lock)).toBe('other-host:1:token');
  });

  it('leaves a note when the provider fails, so waiting workers fail with its reason instead of calling it again', async () => {
    sim.set({ status: 503 });
    await expect(worker().table()).rejects.toThrow('rate provider answered HTTP 503');
    expect(redis.read(RATES_KEYS.failure)).toBe('rate provider answered HTTP 503');
    expect(redis.read(RATES_KEYS.lock)).toBeNull();
    expect(redis.read(RATES_KEYS.table)).toBeNull();
    await expect(worker(100).table()).rejects.toThrow(
      'no exchange-rate table within 100 ms: rate provider answered HTTP 503',
    );
    expect(sim.hits()).toBe(1);
  });

  it('never releases a lock that expired and passed to another holder', async () => {
    sim.set({ latencyMs: 100 });
    const fetching = worker().table();
    // the holder's lock runs out mid-fetch and another worker takes it
    await new Promise<void>((ok) => {
      const check = setInterval(() => {
        if (redis.read(RATES_KEYS.lock) === null) return;
        clearInterval(check);
        ok();
      }, 1);
    });
    (redis as unknown as { values: Map<string, unknown> }).values.delete(RATES_KEYS.lock);
    await redis.set(RATES_KEYS.lock, 'next-holder', 'PX', 60_000, 'NX');
    await fetching;
    expect(redis.read(RATES_KEYS.lock)).toBe('next-holder');
  });

  it('says the table is unavailable when Redis fails, without the words of the Redis client', async () => {
    const down = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    redis.get = () => Promise.reject(down);
    const failure = await worker()
      .table()
      .catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RatesUnavailableError);
    expect((failure as Error).message).toBe(
      'the shared exchange-rate table is unavailable (its store, Redis, did not answer)',
    );
    expect(sim.hits()).toBe(0);
  });

  it('counts a table another holder filled between its miss and its lock as served', async () => {
    const table = { date: '2026-11-20', rates: { USD: '1.1577' } };
    const get = redis.get.bind(redis);
    let tableReads = 0;
    // The first read misses; by the time this worker holds the lock, the table is there.
    redis.get = (key: string) => {
      if (key === RATES_KEYS.table && tableReads++ === 1) {
        void redis.set(RATES_KEYS.table, JSON.stringify(table), 'EX', 60);
      }
      return get(key);
    };
    const registry = new Registry();
    const metrics = new RatesMetrics(registry);
    const config = parseConfig({
      NODE_ENV: 'test',
      RATES_PROVIDER_URL: sim.url,
      RATES_PROVIDER_TIMEOUT_MS: '1000',
    });
    const amqp = { publish: () => Promise.resolve() };
    await expect(new RatesService(redis as never, amqp as never, metrics, config).table()).resolves.toEqual(
      table,
    );
    expect(sim.hits()).toBe(0);
    const counted = (await metrics.lookups.get()).values.reduce((n, v) => n + v.value, 0);
    expect(counted).toBe(1);
  });
});
