import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { RedisService } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';

const VERSION_KEY = 'conveyor:plans:version';

/** The data version and the cached answer in one round trip: `{version, answer or false}`. */
const READ = `local v = redis.call('get', KEYS[1]) or '0'
return {v, redis.call('get', ARGV[1] .. v .. ':' .. ARGV[2])}`;

/** What one gateway keeps in memory in front of Redis: bounded, and each entry for a short time. */
const MEMORY_MAX_BYTES = 64 * 1024 * 1024;

interface MemoryEntry {
  body: Buffer;
  until: number;
}

/**
 * Search answers in Redis under the normalised parameters and the plans' data version, for
 * SEARCH_CACHE_TTL_SECONDS. An ingest that changes data bumps the version, which retires every
 * older answer at once. Redis down is a bypass, never an error.
 *
 * In front of Redis each gateway keeps the answers it served for SEARCH_MEMORY_CACHE_MS (1 s), as
 * encoded bytes by the raw query string, so a hot range costs no round trip and no parsing:
 * another gateway's ingest shows here within that time, this gateway's own at once.
 */
@Injectable()
export class SearchCache {
  private readonly logger = new Logger(SearchCache.name);
  private readonly memory = new Map<string, MemoryEntry>();
  private memoryBytes = 0;
  private readonly lookups: Counter<'result'>;

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    registry: Registry,
  ) {
    this.lookups = new Counter({
      name: 'conveyor_search_cache_total',
      help: 'GET /search answers by source: hit (memory or Redis), miss (database, then cached), bypass (Redis unavailable or cache off)',
      labelNames: ['result'],
      registers: [registry],
    });
  }

  /** The answer this gateway gave to the same query string in the last SEARCH_MEMORY_CACHE_MS. */
  near(raw: string): Buffer | undefined {
    const entry = this.memory.get(raw);
    if (!entry || entry.until <= Date.now()) return undefined;
    this.lookups.inc({ result: 'hit' });
    return entry.body;
  }

  /**
   * The answer cached in Redis for the normalised `params`, or `store` to call with the computed
   * one (undefined when bypassing). `raw` keys this gateway's own copy.
   */
  async get(params: string, raw: string): Promise<{ hit: string } | { store?: (json: string) => void }> {
    const ttl = this.config.plans.searchCacheTtlSeconds;
    if (ttl === 0) {
      this.lookups.inc({ result: 'bypass' });
      return {};
    }
    let version: string;
    try {
      const [v, answer] = (await this.redis.eval(READ, 1, VERSION_KEY, 'conveyor:search:', params)) as [
        string,
        string | null,
      ];
      if (answer) {
        this.lookups.inc({ result: 'hit' });
        this.remember(raw, answer);
        return { hit: answer };
      }
      version = v;
    } catch {
      this.lookups.inc({ result: 'bypass' });
      return {};
    }
    this.lookups.inc({ result: 'miss' });
    return {
      store: (json) => {
        this.remember(raw, json);
        void this.redis.set(`conveyor:search:${version}:${params}`, json, 'EX', ttl).catch(() => undefined);
      },
    };
  }

  /** Retires every cached answer (a new data version). */
  async invalidate(): Promise<void> {
    this.memory.clear();
    this.memoryBytes = 0;
    try {
      await this.redis.incr(VERSION_KEY);
    } catch (err) {
      // Answers cached before this ingest live until their TTL ends.
      this.logger.warn(`search cache not invalidated: ${(err as Error).message}`);
    }
  }

  private remember(raw: string, json: string): void {
    const ms = this.config.plans.searchMemoryCacheMs;
    if (ms === 0 || json.length > MEMORY_MAX_BYTES / 4) return;
    const body = Buffer.from(json);
    const old = this.memory.get(raw);
    if (old) this.memoryBytes -= old.body.length;
    this.memory.delete(raw); // re-inserted last: the Map's order is the eviction order
    this.memory.set(raw, { body, until: Date.now() + ms });
    this.memoryBytes += body.length;
    for (const [key, entry] of this.memory) {
      if (this.memoryBytes <= MEMORY_MAX_BYTES) break;
      this.memory.delete(key);
      this.memoryBytes -= entry.body.length;
    }
  }
}
