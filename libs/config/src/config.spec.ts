import { ConfigError, parseConfig } from './config';

describe('parseConfig', () => {
  it('applies local defaults in development', () => {
    const config = parseConfig({});
    expect(config.gateway.port).toBe(3000);
    expect(config.worker.port).toBe(3001);
    expect(config.http.bodyLimit).toBe(1024 * 1024);
    expect(config.amqp.url).toContain(':5672/');
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

  it('treats an empty variable as unset', () => {
    expect(parseConfig({ GATEWAY_PORT: '' }).gateway.port).toBe(3000);
  });
});
