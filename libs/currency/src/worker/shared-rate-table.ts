import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import type { RedisService } from '@conveyor/common';
import type { RateTable } from '@conveyor/contracts';

/** Deletes the lock only if this worker still owns it (its expiry may have handed it to another). */
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** The table could not be had before the deadline; retryable, so the work runs again later. */
export class RatesUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RatesUnavailableError';
  }
}

/** The table's store (Redis) did not answer; the provider may still. */
export class RatesStoreUnavailableError extends RatesUnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'RatesStoreUnavailableError';
  }
}

/** Where a table comes from, where it is kept, and for how long. */
export interface RateSource {
  /** In messages: `rate provider`, `events rate provider`. */
  name: string;
  /** In messages: `exchange-rate` (… table), `events exchange-rate`. */
  tableName: string;
  keys: { table: string; lock: string; failure: string };
  providerUrl: string;
  providerTimeoutMs: number;
  /** How long the table is served before it is fetched again (its Redis TTL). */
  ttlMs: number;
  lockTtlMs: number;
  waitMs: number;
  pollMs: number;
  failureNoteMs: number;
  /** The provider's answer as a table; throws (an Error named RatesFormatError) for a bad answer. */
  parse(text: string): RateTable;
  /** Called after a refresh; its failure is the caller's to log. */
  onRefreshed?(table: RateTable): Promise<void>;
}

export interface RateTableMetrics {
  fetches: Counter<'outcome'>;
  lookups: Counter<'served'>;
}

type RedisCommands = Pick<RedisService, 'get' | 'set' | 'eval'>;

/**
 * A rate table shared by every worker through one Redis value. On a miss exactly one worker (the
 * lock holder) calls the provider; the others poll cache-then-lock until the deadline. A bad answer
 * never replaces a good table (nothing is written), and a failure note spares the provider.
 */
export class SharedRateTable {
  private readonly logger: Logger;
  /** Starts every lock token, so an operator (or a test) sees which process holds the lock. */
  private readonly holder = `${hostname()}:${process.pid}`;

  constructor(
    private readonly redis: RedisCommands,
    private readonly metrics: RateTableMetrics,
    private readonly source: RateSource,
  ) {
    this.logger = new Logger(`RateTable ${source.keys.table}`);
  }

  /**
   * The shared table, from the cache or refreshed. Redis failing is a RatesUnavailableError that
   * says what is unavailable; the client library's own words go to the log, not to the caller.
   */
  async table(signal?: AbortSignal): Promise<RateTable> {
    try {
      return await this.lookUp(signal);
    } catch (err) {
      if (err instanceof RatesUnavailableError || signal?.aborted) throw err;
      this.logger.warn(`rate table store failed: ${(err as Error).message}`);
      throw new RatesStoreUnavailableError(
        `the shared ${this.source.tableName} table is unavailable (its store, Redis, did not answer)`,
      );
    }
  }

  /** A table straight from the provider, shared with nobody: for a caller that cannot wait out a Redis outage. */
  fromProvider(): Promise<RateTable> {
    return this.fetch();
  }

  private async lookUp(signal?: AbortSignal): Promise<RateTable> {
    const { waitMs, pollMs, keys } = this.source;
    const deadline = Date.now() + waitMs;
    let waited = false;
    for (;;) {
      const cached = await this.cached();
      if (cached) {
        this.metrics.lookups.inc({ served: waited ? 'waited' : 'cache' });
        return cached;
      }
      const failure = await this.redis.get(keys.failure);
      if (!failure) {
        const token = `${this.holder}:${randomUUID()}`;
        const locked = await this.redis.set(keys.lock, token, 'PX', this.source.lockTtlMs, 'NX');
        if (locked === 'OK') return this.refreshHolding(token, waited);
      }
      if (Date.now() + pollMs > deadline) {
        this.metrics.lookups.inc({ served: 'timeout' });
        throw new RatesUnavailableError(
          `no ${this.source.tableName} table within ${waitMs} ms` +
            (failure ? `: ${failure}` : ' (another worker is fetching it)'),
        );
      }
      waited = true;
      await sleep(pollMs, undefined, { signal });
    }
  }

  private async cached(): Promise<RateTable | null> {
    const raw = await this.redis.get(this.source.keys.table);
    return raw ? (JSON.parse(raw) as RateTable) : null;
  }

  /** We hold the lock: fetch, validate, fill the cache, tell whoever listens; release the lock in any case. */
  private async refreshHolding(token: string, waited: boolean): Promise<RateTable> {
    try {
      // Another holder may have filled it between our miss and our lock: served, all the same.
      const cached = await this.cached();
      if (cached) {
        this.metrics.lookups.inc({ served: waited ? 'waited' : 'cache' });
        return cached;
      }
      const table = await this.fetch();
      await this.redis.set(this.source.keys.table, JSON.stringify(table), 'PX', this.source.ttlMs);
      this.metrics.lookups.inc({ served: 'refreshed' });
      await this.source.onRefreshed?.(table);
      return table;
    } finally {
      await this.redis.eval(RELEASE_LOCK, 1, this.source.keys.lock, token).catch(() => undefined);
    }
  }

  /** Calls the provider; a failure is noted for the waiting workers and rethrown (nothing is cached). */
  private async fetch(): Promise<RateTable> {
    const { providerUrl, providerTimeoutMs, failureNoteMs, name } = this.source;
    try {
      const res = await fetch(providerUrl, { signal: AbortSignal.timeout(providerTimeoutMs) });
      const text = await res.text();
      if (!res.ok) throw new Error(`${name} answered HTTP ${res.status}`);
      try {
        const table = this.source.parse(text);
        this.metrics.fetches.inc({ outcome: 'ok' });
        return table;
      } catch (err) {
        this.metrics.fetches.inc({ outcome: 'rejected' });
        throw err;
      }
    } catch (err) {
      if (!(err instanceof Error) || err.name !== 'RatesFormatError')
        this.metrics.fetches.inc({ outcome: 'error' });
      const message = describe(err, name, providerTimeoutMs);
      this.logger.warn(`rate refresh failed: ${message}`);
      await this.redis.set(this.source.keys.failure, message, 'PX', failureNoteMs).catch(() => undefined);
      throw new RatesUnavailableError(message);
    }
  }
}

function describe(err: unknown, name: string, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `${name} did not answer within ${timeoutMs} ms`;
  }
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  const text = `${err instanceof Error ? err.message : String(err)}${cause}`;
  // fetch's own words do not say whom it failed to reach.
  return text.startsWith(name) || (err instanceof Error && err.name === 'RatesFormatError')
    ? text
    : `${name} unreachable (${text})`;
}
