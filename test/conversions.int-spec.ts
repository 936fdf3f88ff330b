import Redis from 'ioredis';
import { deleteKeys, harness, metricValue, request, waitFor } from './support';

// Short TTLs and deadlines so expiry, retries and failures happen within a test.
const h = harness({
  simulator: true,
  gatewayEnv: { CONVERSION_CACHE_TTL_SECONDS: '3', CONVERSION_WAIT_MS: '8000', RETRY_BASE_MS: '200' },
  workerEnv: {
    RATES_CACHE_TTL_SECONDS: '2',
    RATES_WAIT_MS: '1500',
    RATES_PROVIDER_TIMEOUT_MS: '700',
    RATES_LOCK_TTL_MS: '1500',
  },
});
const TABLE_KEY = 'conveyor:rates:table';
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(h.env.REDIS_URL);
  // Another spec may have asked for the same conversions: these expect to compute them first.
  await deleteKeys(h.env, 'conveyor:conversion:*');
});
afterAll(async () => {
  await redis.quit();
});

const convert = (query: string) => request(h.gateway.url, 'GET', `/conversions?${query}`);

async function conversionTasks(): Promise<number> {
  const { rows } = await h.db.query(`SELECT count(*)::int AS n FROM tasks WHERE type = 'currency.convert'`);
  return rows[0].n as number;
}

describe('GET /currencies', () => {
  it('lists the seeded set, and a rate refresh fills in rates and dates', async () => {
    const before = await request(h.gateway.url, 'GET', '/currencies');
    expect(before.status).toBe(200);
    expect(before.body.items).toHaveLength(31);
    expect(before.body.items.find((c: { code: string }) => c.code === 'JPY')).toMatchObject({
      name: 'Japanese yen',
      minorUnits: 0,
    });

    await redis.del(TABLE_KEY); // cold cache: this conversion makes a worker refresh the table
    expect((await convert('from=EUR&to=USD&amount=1')).status).toBe(200);
    const after = await waitFor('the refresh to reach /currencies', async () => {
      const r = await request(h.gateway.url, 'GET', '/currencies');
      const usd = r.body.items.find((c: { code: string }) => c.code === 'USD');
      return usd.rateDate ? r.body.items : undefined;
    });
    const byCode = Object.fromEntries(after.map((c: { code: string }) => [c.code, c]));
    expect(byCode.USD).toMatchObject({ rate: '1.1577', rateDate: '2026-11-20' });
    expect(byCode.ISK).toMatchObject({ rate: '147.10', rateDate: '2026-11-20' });
    expect(byCode.EUR).toMatchObject({ rate: '1', rateDate: '2026-11-20' });
  });
});

describe('GET /conversions', () => {
  it.each([
    ['from=XXX&to=USD&amount=1', /from must be a supported ISO 4217 code/],
    ['from=USD&to=usdollar&amount=1', /to must be a supported ISO 4217 code/],
    ['to=USD&amount=1', /from must be/],
    ['from=USD&to=EUR', /amount must be a string/],
    ['from=USD&to=EUR&amount=0', /amount must be a positive decimal/],
    ['from=USD&to=EUR&amount=-1', /amount must be a positive decimal/],
    ['from=USD&to=EUR&amount=1.001', /amount must be a positive decimal with at most 2 decimals/],
    ['from=USD&to=EUR&amount=1e3', /amount must be/],
    ['from=USD&to=EUR&amount=1000000000000.01', /at most 1000000000000/],
    ['from=USD&to=EUR&amount=1&priority=maybe', /priority must be true or false/],
    ['from=USD&to=EUR&amount=1&rate=2', /property rate should not exist/],
  ])('refuses %s with 400 naming the parameter, and writes nothing', async (query, message) => {
    const before = await conversionTasks();
    const r = await convert(query);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(message);
    expect(await conversionTasks()).toBe(before);
  });

  it('converts exactly (half-even to minor units) and normalises its input', async () => {
    const cases: [string, Record<string, string>][] = [
      ['from=usd&to=brl&amount=10.5', { from: 'USD', to: 'BRL', amount: '10.50', result: '55.97' }],
      ['from=EUR&to=JPY&amount=0.01', { to: 'JPY', result: '2' }],
      ['from=USD&to=JPY&amount=999999999999.99', { result: '155316575969593' }],
      ['from=JPY&to=USD&amount=1', { result: '0.01', rate: '0.006438462822' }],
      ['from=BRL&to=CHF&amount=250.25', { result: '37.80' }],
    ];
    for (const [query, expected] of cases) {
      const r = await convert(query);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ...expected, rateDate: '2026-11-20', cached: false, priority: false });
      expect(r.body.taskId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers an identical request from the cache, not a different amount, until the entry expires', async () => {
    const first = await convert('from=GBP&to=EUR&amount=12.3');
    expect(first.body).toMatchObject({ cached: false, amount: '12.30', result: '13.97' });
    // The same request once normalised: case and trailing zero differ.
    const second = await convert('from=gbp&to=eur&amount=12.30&priority=true');
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      cached: true,
      result: '13.97',
      taskId: first.body.taskId,
      priority: true,
    });
    expect(second.body.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(second.body.ageSeconds).toBeLessThan(3);
    const other = await convert('from=GBP&to=EUR&amount=12.31');
    expect(other.body.cached).toBe(false);

    // CONVERSION_CACHE_TTL_SECONDS is 3 here.
    const expired = await waitFor(
      'the cached answer to expire',
      async () => {
        const r = await convert('from=GBP&to=EUR&amount=12.3');
        return r.body.cached === false ? r : undefined;
      },
      10_000,
      500,
    );
    expect(expired.body.taskId).not.toBe(first.body.taskId);
  });

  it('never lets a malformed provider answer replace the table, and recovers when the provider does', async () => {
    const rejected = () =>
      metricValue(h.worker!.url, 'conveyor_rates_provider_fetches_total', 'outcome="rejected"');
    const rejectedBefore = (await rejected()) ?? 0;
    let amount = 20;
    for (const mode of ['html', 'truncated', 'empty'] as const) {
      await h.sim.set({ mode, resetHits: true });
      await redis.del(TABLE_KEY); // as if the TTL ran out: the next conversion refreshes
      const r = await convert(`from=EUR&to=USD&amount=${amount++}`);
      // No table: every attempt fails retryably, then the task fails for good.
      expect(r.status).toBe(502);
      expect(r.body.message).toMatch(/ended failed: .*rate provider answer rejected/);
      expect((await h.sim.state()).hits.rates).toBeGreaterThanOrEqual(1);
      expect(await redis.get(TABLE_KEY)).toBeNull();
      const currencies = await request(h.gateway.url, 'GET', '/currencies');
      expect(currencies.body.items.find((c: { code: string }) => c.code === 'USD')).toMatchObject({
        rate: '1.1577',
        rateDate: '2026-11-20',
      });
    }
    expect(((await rejected()) ?? 0) - rejectedBefore).toBeGreaterThanOrEqual(3);

    await h.sim.set({ mode: 'ok' });
    const ok = await convert('from=EUR&to=USD&amount=100');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ result: '115.77', rateDate: '2026-11-20' });
    expect(JSON.parse((await redis.get(TABLE_KEY))!).rates.USD).toBe('1.1577');
  });

  it('fails after the deadline with a clear error while the provider is down, retries, and works once it is back', async () => {
    await h.sim.down();
    await redis.del(TABLE_KEY);
    const started = Date.now();
    const r = await convert('from=EUR&to=CHF&amount=5');
    expect(r.status).toBe(502);
    expect(r.body.message).toMatch(/ended failed: .*(fetch failed|ECONNREFUSED)/);
    const taskId = /conversion task ([0-9a-f-]{36})/.exec(r.body.message)![1];
    const task = (await request(h.gateway.url, 'GET', `/tasks/${taskId}`)).body;
    expect(task).toMatchObject({ status: 'failed', attempts: 3 });
    expect(task.error).toMatchObject({ code: 'RATES_UNAVAILABLE', retryable: true });
    const attempts = (await request(h.gateway.url, 'GET', `/tasks/${taskId}/attempts`)).body.items;
    expect(attempts).toHaveLength(3);
    // Each attempt waited for its deadline (RATES_WAIT_MS 1.5 s), or gave up on a fresh failure note.
    expect(Date.now() - started).toBeGreaterThan(1000);

    await h.sim.up();
    const back = await waitFor(
      'a conversion to succeed with the provider back',
      async () => {
        const again = await convert('from=EUR&to=CHF&amount=6');
        return again.status === 200 ? again : undefined;
      },
      20_000,
      200,
    );
    expect(back.body).toMatchObject({ result: '5.59', cached: false });
  });
});
