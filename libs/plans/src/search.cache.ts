import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { RedisService, metricsRegistry } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';

const VERSION_KEY = 'conveyor:plans:version';

/** The data version and the cached answer in one round trip: `{version, answer or false}`. */
const READ = `local v = redis.call('get', KEYS[1]) or '0'
return {v, redis.call('get', ARGV[1] .. v .. ':' .. ARGV[2])}`;

const lookups = new Counter({
  name: 'conveyor_search_cache_total',
  help: 'GET /search answers by source: hit (Redis), miss (database, then cached), bypass (Redis unavailable or cache off)',
  labelNames: ['result'],
  registers: [metricsRegistry],
});

/**
 * Search answers in Redis under the normalised parameters and the plans' data version, for
 * SEARCH_CACHE_TTL_SECONDS. An ingest that changes data bumps the version, which retires every
 * older answer at once. Redis down is a bypass, never an error.
 */
@Injectable()
export class SearchCache {
  private readonly logger = new Logger(SearchCache.name);

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The cached JSON text, or `store` to call with the computed one (undefined when bypassing). */
  async get(params: string): Promise<{ hit: string } | { store?: (json: string) => void }> {
    const ttl = this.config.plans.searchCacheTtlSeconds;
    if (ttl === 0) {
      lookups.inc({ result: 'bypass' });
      return {};
    }
    let version: string;
    try {
      const [v, answer] = (await this.redis.eval(READ, 1, VERSION_KEY, 'conveyor:search:', params)) as [
        string,
        string | null,
      ];
      if (answer) {
        lookups.inc({ result: 'hit' });
        return { hit: answer };
      }
      version = v;
    } catch {
      lookups.inc({ result: 'bypass' });
      return {};
    }
    lookups.inc({ result: 'miss' });
    return {
      store: (json) =>
        void this.redis.set(`conveyor:search:${version}:${params}`, json, 'EX', ttl).catch(() => undefined),
    };
  }

  /** Retires every cached answer (a new data version). */
  async invalidate(): Promise<void> {
    try {
      await this.redis.incr(VERSION_KEY);
    } catch (err) {
      // Answers cached before this ingest live until their TTL ends.
      this.logger.warn(`search cache not invalidated: ${(err as Error).message}`);
    }
  }
}
