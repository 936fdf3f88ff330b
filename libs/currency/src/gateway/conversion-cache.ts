import { Inject, Injectable, Logger } from '@nestjs/common';
import { CACHE_MANAGER, CacheModule } from '@nestjs/cache-manager';
import { createKeyv } from '@keyv/redis';
import type { Cache } from 'cache-manager';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import type { CurrencyConvertResult } from '@conveyor/contracts';

interface Entry {
  result: CurrencyConvertResult;
  taskId: string;
  cachedAt: number;
}

/**
 * The conversion answer cache: cache-manager over a Keyv Redis store, keys `conveyor:conversion:…`.
 * While Redis is away every command fails at once (no offline queue, no reconnect loop that a
 * command would wait behind); the next command after it returns connects again.
 */
export const ConversionCacheModule = CacheModule.registerAsync({
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => {
    const logger = new Logger('ConversionCache');
    const keyv = createKeyv(
      {
        url: config.redis.url,
        disableOfflineQueue: true,
        socket: { connectTimeout: 1000, reconnectStrategy: false },
      },
      // connectionTimeout bounds how long a command waits for that connect to an unreachable host.
      { namespace: 'conveyor', keyPrefixSeparator: ':', throwOnConnectError: false, connectionTimeout: 200 },
    );
    keyv.on('error', (err: Error) => logger.debug(`conversion cache store: ${err.message}`));
    return { stores: [keyv], ttl: config.conversions.cacheTtlSeconds * 1000 };
  },
});

/**
 * Answers of identical conversions (same normalised from, to and amount), kept for
 * CONVERSION_CACHE_TTL_SECONDS. Redis being down is a miss, never an error.
 */
@Injectable()
export class ConversionCache {
  private readonly logger = new Logger(ConversionCache.name);

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get(from: string, to: string, amount: string): Promise<(Entry & { ageSeconds: number }) | null> {
    try {
      const entry = await this.cache.get<Entry>(key(from, to, amount));
      if (!entry) return null;
      return { ...entry, ageSeconds: Math.max(0, Math.floor((Date.now() - entry.cachedAt) / 1000)) };
    } catch (err) {
      this.logger.warn(`conversion cache read skipped: ${(err as Error).message}`);
      return null;
    }
  }

  async put(results: readonly { result: CurrencyConvertResult; taskId: string }[]): Promise<void> {
    if (results.length === 0) return;
    const ttl = this.config.conversions.cacheTtlSeconds * 1000;
    try {
      await this.cache.mset(
        results.map(({ result, taskId }) => ({
          key: key(result.from, result.to, result.amount),
          value: { result, taskId, cachedAt: Date.now() } satisfies Entry,
          ttl,
        })),
      );
    } catch (err) {
      this.logger.warn(`conversion cache write skipped: ${(err as Error).message}`);
    }
  }
}

function key(from: string, to: string, amount: string): string {
  return `conversion:${from}:${to}:${amount}`;
}
