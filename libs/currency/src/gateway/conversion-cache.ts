import { Inject, Injectable, Logger } from '@nestjs/common';
import { RedisService } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import type { CurrencyConvertResult } from '@conveyor/contracts';

interface Entry {
  result: CurrencyConvertResult;
  taskId: string;
  cachedAt: number;
}

/**
 * Answers of identical conversions (same normalised from, to and amount), kept in Redis for
 * CONVERSION_CACHE_TTL_SECONDS. Redis being down is a miss, never an error.
 */
@Injectable()
export class ConversionCache {
  private readonly logger = new Logger(ConversionCache.name);

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get(from: string, to: string, amount: string): Promise<(Entry & { ageSeconds: number }) | null> {
    try {
      const raw = await this.redis.get(key(from, to, amount));
      if (!raw) return null;
      const entry = JSON.parse(raw) as Entry;
      return { ...entry, ageSeconds: Math.max(0, Math.floor((Date.now() - entry.cachedAt) / 1000)) };
    } catch (err) {
      this.logger.warn(`conversion cache read skipped: ${(err as Error).message}`);
      return null;
    }
  }

  async put(results: readonly { result: CurrencyConvertResult; taskId: string }[]): Promise<void> {
    if (results.length === 0) return;
    try {
      const tx = this.redis.multi();
      for (const { result, taskId } of results) {
        const entry: Entry = { result, taskId, cachedAt: Date.now() };
        tx.set(
          key(result.from, result.to, result.amount),
          JSON.stringify(entry),
          'EX',
          this.config.conversions.cacheTtlSeconds,
        );
      }
      await tx.exec();
    } catch (err) {
      this.logger.warn(`conversion cache write skipped: ${(err as Error).message}`);
    }
  }
}

function key(from: string, to: string, amount: string): string {
  return `conveyor:conversion:${from}:${to}:${amount}`;
}
