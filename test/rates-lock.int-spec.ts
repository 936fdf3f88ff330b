import Redis from 'ioredis';
import { RunningApp, harness, metricValue, request, startApp, waitFor } from './support';

// Four worker processes share the rate table. The lock outlives a provider call (timeout 2.5 s),
// and a waiting worker keeps polling longer than the lock lives.
const WORKER_ENV = {
  RATES_PROVIDER_TIMEOUT_MS: '2500',
  RATES_LOCK_TTL_MS: '3000',
  RATES_WAIT_MS: '8000',
  RATES_CACHE_TTL_SECONDS: '3600',
};
const h = harness({ simulator: true, workerEnv: WORKER_ENV, gatewayEnv: { CONVERSION_WAIT_MS: '15000' } });
const KEYS = {
  table: 'conveyor:rates:table',
  lock: 'conveyor:rates:lock',
  failure: 'conveyor:rates:failure',
};
let redis: Redis;
/** The live workers (the killed lock holder leaves this list). */
const workers: RunningApp[] = [];
/** The workers this spec started beside the harness's: all stopped at the end, whichever was killed. */
const extra: RunningApp[] = [];

beforeAll(async () => {
  redis = new Redis(h.env.REDIS_URL);
  workers.push(h.worker!);
  for (let i = 0; i < 3; i++) {
    extra.push(await startApp('worker', h.env, { ...h.sim.providerEnv, ...WORKER_ENV }));
  }
  workers.push(...extra);
});
afterAll(async () => {
  await Promise.all(extra.map((w) => w.stop()));
  await redis.quit();
});

/** Rate lookups each worker served, by how (cache, waited, refreshed, timeout). */
async function lookups(served: string, of: RunningApp[] = workers): Promise<number[]> {
  return Promise.all(
    of.map(
      async (w) => (await metricValue(w.url, 'conveyor_rates_lookups_total', `served="${served}"`)) ?? 0,
    ),
  );
}

async function coldCache(): Promise<void> {
  const answers = await redis.keys('conveyor:conversion:*'); // answers an earlier spec cached
  await redis.del(KEYS.table, KEYS.lock, KEYS.failure, ...answers);
  await h.sim.set({ resetHits: true });
}

describe('the shared rate table', () => {
  it('is fetched from the provider exactly once for 200 concurrent conversions on a cold cache across 4 workers', async () => {
    await coldCache();
    await h.sim.set({ latencyMs: 300 }); // a slow provider, so the other workers really wait
    const before = await Promise.all(['cache', 'waited', 'refreshed'].map((k) => lookups(k)));
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        request(h.gateway.url, 'GET', `/conversions?from=USD&to=EUR&amount=${(1 + i / 100).toFixed(2)}`),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(200).fill(200));
    expect(answers.every((a) => a.body.cached === false && a.body.rateDate === '2026-11-20')).toBe(true);
    expect(answers[0].body.result).toBe('0.86'); // 1.00 / 1.1577
    const { hits } = await h.sim.state();
    expect(hits.rates).toBe(1);
    // Every worker served some of them; one refreshed, the rest waited for it or found the table.
    const after = await Promise.all(['cache', 'waited', 'refreshed'].map((k) => lookups(k)));
    const perWorker = workers.map((_, w) => after.reduce((sum, kind, k) => sum + kind[w] - before[k][w], 0));
    const refreshed = after[2].reduce((sum, n, w) => sum + n - before[2][w], 0);
    console.log(
      `cold cache: 200 concurrent conversions, per worker ${perWorker.join('/')}, provider hit ${hits.rates} time(s)`,
    );
    expect(perWorker.every((n) => n > 0)).toBe(true);
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(200);
    expect(refreshed).toBe(1);
  });

  it('is fetched by another worker once the lock of a holder killed with kill -9 expires', async () => {
    await coldCache();
    await h.sim.set({ latencyMs: 2000 }); // the holder is mid-fetch for 2 s: long enough to kill it there
    const pending = request(h.gateway.url, 'GET', '/conversions?from=EUR&to=GBP&amount=7');
    const token = await waitFor('a worker to take the lock and call the provider', async () => {
      const t = await redis.get(KEYS.lock);
      return t && (await h.sim.state()).hits.rates === 1 ? t : undefined;
    });
    const pid = Number(token.split(':')[1]);
    const holder = workers.find((w) => w.proc.pid === pid);
    expect(holder).toBeDefined();
    const survivors = workers.filter((w) => w !== holder);
    const refreshedBefore = await lookups('refreshed', survivors);
    await h.sim.set({ latencyMs: 0 });
    const lockLeftMs = await redis.pttl(KEYS.lock);
    const killedAt = Date.now();
    await holder!.kill();

    const answer = await pending;
    const tookMs = Date.now() - killedAt;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ result: '6.16', rateDate: '2026-11-20' });
    // The second fetch waited for the dead holder's lock to expire, and only one more call was made.
    expect((await h.sim.state()).hits.rates).toBe(2);
    expect(tookMs).toBeGreaterThanOrEqual(lockLeftMs - 100);
    workers.splice(workers.indexOf(holder!), 1);
    // One of the survivors made the second fetch.
    const refreshedAfter = await lookups('refreshed', survivors);
    expect(refreshedAfter.reduce((sum, n, i) => sum + n - refreshedBefore[i], 0)).toBe(1);
    console.log(
      `lock holder killed with ${lockLeftMs} ms of lock left; another worker converted ${tookMs} ms after the kill`,
    );
  });
});
