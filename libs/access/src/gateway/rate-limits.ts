import { Inject, Injectable, Logger } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RedisService } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { AccessMetrics } from './access.metrics';

/** What the rate limit of one request came to, for the RateLimit-* headers. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window starts again (Retry-After when refused). */
  resetSeconds: number;
}

const WARN_EVERY_MS = 10_000;

/**
 * Per key, reads and writes each get a budget per second, counted in Redis so every gateway
 * shares it (rate-limiter-flexible: a fixed one-second window, refilled whole). Per client
 * address, refused keys are counted in this process's memory and checked before any lookup, so a
 * flood of bad keys reaches neither PostgreSQL nor Redis.
 */
@Injectable()
export class RateLimits {
  private readonly logger = new Logger(RateLimits.name);
  private readonly reads: RateLimiterRedis | undefined;
  private readonly writes: RateLimiterRedis | undefined;
  private readonly failures: RateLimiterMemory;
  private warnedAt = 0;

  constructor(
    redis: RedisService,
    private readonly metrics: AccessMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const limiter = (points: number, kind: string) =>
      points === 0
        ? undefined
        : new RateLimiterRedis({
            storeClient: redis,
            points,
            duration: 1,
            keyPrefix: `conveyor:ratelimit:${kind}`,
            // Refused at once while Redis is not connected, instead of waiting for it.
            rejectIfRedisNotReady: true,
          });
    this.reads = limiter(config.auth.readsPerSecond, 'read');
    this.writes = limiter(config.auth.writesPerSecond, 'write');
    this.failures = new RateLimiterMemory({ points: config.auth.failuresPerMinute, duration: 60 });
  }

  /**
   * Takes one request from the key's budget. Undefined when there is no limit, or when Redis did
   * not answer: then the request is served (fail open), counted and warned about, because a cache
   * outage should not stop every client while PostgreSQL and RabbitMQ are fine.
   */
  async take(keyId: string, write: boolean): Promise<RateDecision | undefined> {
    const limiter = write ? this.writes : this.reads;
    if (!limiter) return undefined;
    try {
      return decision(await limiter.consume(keyId), limiter.points, true);
    } catch (err) {
      if (err instanceof RateLimiterRes) return decision(err, limiter.points, false);
      this.metrics.limiterUnavailable.inc();
      if (Date.now() - this.warnedAt > WARN_EVERY_MS) {
        this.warnedAt = Date.now();
        this.logger.warn(`rate limits not checked, Redis did not answer: ${(err as Error).message}`);
      }
      return undefined;
    }
  }

  /** Milliseconds this address must wait before presenting another key (0: it may now). */
  async addressBlockedMs(address: string): Promise<number> {
    const res = await this.failures.get(address);
    return res && res.consumedPoints >= this.config.auth.failuresPerMinute ? res.msBeforeNext : 0;
  }

  /** Counts a refused key against its address. */
  async refusedKey(address: string): Promise<void> {
    await this.failures.penalty(address, 1);
  }
}

function decision(res: RateLimiterRes, limit: number, allowed: boolean): RateDecision {
  return {
    allowed,
    limit,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  };
}
