import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { RedisService } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { RATES_MESSAGE_TYPE, RateTable, RatesMessage } from '@conveyor/contracts';
import { AmqpService, EXCHANGES, STATUS_ROUTING_KEY } from '@conveyor/messaging';
import { parseEcbRates } from './ecb-rates';
import { RatesMetrics } from './rates.metrics';

/** Redis keys of the shared rate table (all worker processes use the same three). */
export const RATES_KEYS = {
  table: 'conveyor:rates:table',
  lock: 'conveyor:rates:lock',
  /** Why the last refresh failed; while it lives, waiting workers don't hammer a failing provider. */
  failure: 'conveyor:rates:failure',
} as const;

/** Deletes the lock only if this worker still owns it (its expiry may have handed it to another). */
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** The table could not be had before the deadline; retryable, so the task runs again later. */
export class RatesUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RatesUnavailableError';
  }
}

/**
 * The worker's exchange-rate table, shared by every worker through Redis. On a miss exactly one
 * worker (the lock holder) calls the provider; the others poll cache-then-lock until the deadline.
 */
@Injectable()
export class RatesService {
  private readonly logger = new Logger(RatesService.name);
  /** Starts every lock token, so an operator (or a test) sees which process holds the lock. */
  private readonly holder = `${hostname()}:${process.pid}`;

  constructor(
    private readonly redis: RedisService,
    private readonly amqp: AmqpService,
    private readonly metrics: RatesMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The shared table, from the cache or refreshed. Redis failing is a RatesUnavailableError that
   * says what is unavailable; the client library's own words go to the log, not to the task's error.
   */
  async table(signal?: AbortSignal): Promise<RateTable> {
    try {
      return await this.lookUp(signal);
    } catch (err) {
      if (err instanceof RatesUnavailableError || signal?.aborted) throw err;
      this.logger.warn(`rate table store failed: ${(err as Error).message}`);
      throw new RatesUnavailableError(
        'the shared exchange-rate table is unavailable (its store, Redis, did not answer)',
      );
    }
  }

  private async lookUp(signal?: AbortSignal): Promise<RateTable> {
    const { waitMs, pollMs } = this.config.rates;
    const deadline = Date.now() + waitMs;
    let waited = false;
    for (;;) {
      const cached = await this.cached();
      if (cached) {
        this.metrics.lookups.inc({ served: waited ? 'waited' : 'cache' });
        return cached;
      }
      const failure = await this.redis.get(RATES_KEYS.failure);
      if (!failure) {
        const token = `${this.holder}:${randomUUID()}`;
        const locked = await this.redis.set(RATES_KEYS.lock, token, 'PX', this.config.rates.lockTtlMs, 'NX');
        if (locked === 'OK') return this.refreshHolding(token, waited);
      }
      if (Date.now() + pollMs > deadline) {
        this.metrics.lookups.inc({ served: 'timeout' });
        throw new RatesUnavailableError(
          `no exchange-rate table within ${waitMs} ms` +
            (failure ? `: ${failure}` : ' (another worker is fetching it)'),
        );
      }
      waited = true;
      await sleep(pollMs, undefined, { signal });
    }
  }

  private async cached(): Promise<RateTable | null> {
    const raw = await this.redis.get(RATES_KEYS.table);
    return raw ? (JSON.parse(raw) as RateTable) : null;
  }

  /** We hold the lock: fetch, validate, fill the cache, tell the gateway; release the lock in any case. */
  private async refreshHolding(token: string, waited: boolean): Promise<RateTable> {
    try {
      // Another holder may have filled it between our miss and our lock: served, all the same.
      const cached = await this.cached();
      if (cached) {
        this.metrics.lookups.inc({ served: waited ? 'waited' : 'cache' });
        return cached;
      }
      const table = await this.fetch();
      await this.redis.set(RATES_KEYS.table, JSON.stringify(table), 'EX', this.config.rates.ttlSeconds);
      this.metrics.lookups.inc({ served: 'refreshed' });
      await this.announce(table);
      return table;
    } finally {
      await this.redis.eval(RELEASE_LOCK, 1, RATES_KEYS.lock, token).catch(() => undefined);
    }
  }

  /** Calls the provider; a failure is noted for the waiting workers and rethrown (nothing is cached). */
  private async fetch(): Promise<RateTable> {
    const { providerUrl, providerTimeoutMs, failureNoteMs } = this.config.rates;
    try {
      const res = await fetch(providerUrl, { signal: AbortSignal.timeout(providerTimeoutMs) });
      const text = await res.text();
      if (!res.ok) throw new Error(`rate provider answered HTTP ${res.status}`);
      try {
        const table = parseEcbRates(text);
        this.metrics.fetches.inc({ outcome: 'ok' });
        return table;
      } catch (err) {
        this.metrics.fetches.inc({ outcome: 'rejected' });
        throw err;
      }
    } catch (err) {
      if (!(err instanceof Error) || err.name !== 'RatesFormatError')
        this.metrics.fetches.inc({ outcome: 'error' });
      const message = describe(err, providerTimeoutMs);
      this.logger.warn(`rate refresh failed: ${message}`);
      await this.redis.set(RATES_KEYS.failure, message, 'PX', failureNoteMs).catch(() => undefined);
      throw new RatesUnavailableError(message);
    }
  }

  /** Best effort: a lost announcement only delays `/currencies` until the next refresh. */
  private async announce(table: RateTable): Promise<void> {
    const message: RatesMessage = { ...table, fetchedAt: new Date().toISOString() };
    try {
      await this.amqp.publish(EXCHANGES.status, STATUS_ROUTING_KEY, message, { type: RATES_MESSAGE_TYPE });
    } catch (err) {
      this.logger.warn(`rate table of ${table.date} not announced: ${(err as Error).message}`);
    }
  }
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `rate provider did not answer within ${timeoutMs} ms`;
  }
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err instanceof Error ? err.message : String(err)}${cause}`;
}
