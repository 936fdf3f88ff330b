import { ConfigError, parseConfig } from './config';

/** Every setting production requires, none of them the local ones. */
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app:s3cret@db:5432/conveyor',
  REDIS_URL: 'redis://redis:6379',
  AMQP_URL: 'amqp://app:s3cret@mq:5672/%2F',
  PROVIDER_PLANS_URL: 'https://plans.example/feed',
  EVENTS_RATES_PROVIDER_URL: 'https://rates.example/latest',
};

describe('parseConfig', () => {
  it('applies local defaults in development', () => {
    const config = parseConfig({});
    expect(config.gateway.port).toBe(3000);
    expect(config.worker.port).toBe(3001);
    expect(config.http.bodyLimit).toBe(1024 * 1024);
    expect(config.amqp.urls).toEqual([expect.stringContaining(':5672/')]);
    expect(config.worker.cpuThreads).toBeGreaterThanOrEqual(1);
  });

  it('names every invalid setting', () => {
    expect(() => parseConfig({ GATEWAY_PORT: 'abc', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    try {
      parseConfig({ GATEWAY_PORT: 'abc', LOG_LEVEL: 'loud' });
    } catch (err) {
      expect((err as ConfigError).problems.join('\n')).toMatch(/GATEWAY_PORT/);
      expect((err as ConfigError).problems.join('\n')).toMatch(/LOG_LEVEL/);
    }
  });

  it('requires real URLs and refuses local credentials in production', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL: is required/);
    expect(() =>
      parseConfig({
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://conveyor:conveyor@db:5432/conveyor',
        REDIS_URL: 'redis://redis:6379',
        AMQP_URL: 'amqp://app:s3cret@mq:5672/%2F',
      }),
    ).toThrow(/DATABASE_URL: uses the local development credentials/);
  });

  it('requires a task signing key of its own in production', () => {
    const production = PRODUCTION;
    expect(() => parseConfig(production)).toThrow(/TASK_SIGNING_KEY: is required in production/);
    expect(() => parseConfig({ ...production, TASK_SIGNING_KEY: 'short' })).toThrow(/at least 32 characters/);
    const key = 'k'.repeat(40);
    expect(parseConfig({ ...production, TASK_SIGNING_KEY: key }).taskSigningKey).toBe(key);
    // development and tests sign with a known local key
    expect(parseConfig({}).taskSigningKey).toHaveLength(43);
  });

  it('keeps access control on in production, with public docs and metrics only elsewhere', () => {
    const production = { ...PRODUCTION, TASK_SIGNING_KEY: 'k'.repeat(40) };
    expect(() => parseConfig({ ...production, AUTH: 'off' })).toThrow(/AUTH: must not be off in production/);
    expect(() =>
      parseConfig({ ...production, ADMIN_API_KEY: 'conveyor-local-development-admin-api-key' }),
    ).toThrow(/ADMIN_API_KEY: is the local development key/);
    expect(() =>
      parseConfig({ ...production, AMQP_URL: 'amqp://conveyor-worker:conveyor-worker@mq:5672/%2F' }),
    ).toThrow(/AMQP_URL: uses the local development credentials/);
    const auth = parseConfig(production).auth;
    expect([auth.enabled, auth.docsPublic, auth.metricsPublic]).toEqual([true, false, false]);
    expect(parseConfig({ ...production, METRICS_PUBLIC: 'true' }).auth.metricsPublic).toBe(true);
    const dev = parseConfig({}).auth;
    expect([dev.enabled, dev.docsPublic, dev.metricsPublic, dev.cacheMs]).toEqual([true, true, true, 250]);
    expect(parseConfig({ AUTH: 'off' }).auth.enabled).toBe(false);
  });

  it('takes the nodes of a cluster as AMQP_URLS, checked like AMQP_URL', () => {
    const urls = 'amqp://a:b@mq1:5672/%2F, amqp://a:b@mq2:5672/%2F';
    expect(parseConfig({ AMQP_URLS: urls }).amqp.urls).toEqual([
      'amqp://a:b@mq1:5672/%2F',
      'amqp://a:b@mq2:5672/%2F',
    ]);
    expect(() => parseConfig({ AMQP_URLS: 'amqp://a:b@mq1:5672/%2F,' })).toThrow(
      /AMQP_URLS: must be comma-separated URLs/,
    );
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://app:s3cret@db:5432/app' };
    expect(() =>
      parseConfig({
        ...production,
        AMQP_URLS: 'amqp://a:b@mq1:5672/%2F,amqp://conveyor:conveyor@mq2:5672/%2F',
      }),
    ).toThrow(/AMQP_URLS: uses the local development credentials/);
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig({ GATEWAY_PORT: '' }).gateway.port).toBe(3000);
  });
});
