import { harness, request, stack } from './support';

/** What a client reads while a backing service is down: what is unavailable, never a library's own words. */
// The gateway owns the retry policy: short delays, so the three attempts end within the request's wait.
const h = harness({ simulator: true, gatewayEnv: { RETRY_BASE_MS: '50', RETRY_MAX_MS: '100' } });

describe('answers during an outage', () => {
  it('a conversion while Redis is down says the rate table is unavailable', async () => {
    stack('redis-stop');
    try {
      const res = await request(h.gateway.url, 'GET', '/conversions?from=USD&to=GBP&amount=3.21');
      expect(res.status).toBe(502);
      expect(res.body.message).toMatch(
        /ended failed: the shared exchange-rate table is unavailable \(its store, Redis, did not answer\)$/,
      );
      expect(res.body.message).not.toMatch(/Stream|enableOfflineQueue|ECONNREFUSED|Connection is closed/);
    } finally {
      stack('redis-start');
    }
  });
});
