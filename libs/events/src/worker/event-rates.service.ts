import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { RedisService } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import type { RateTable } from '@conveyor/contracts';
import {
  RatesStoreUnavailableError,
  RatesUnavailableError,
  SharedRateTable,
} from '@conveyor/currency/worker';
import { EventsError } from '../event';
import { amountInEurCents, parseEventRates } from './events-rates';
import { EventsWorkerMetrics } from './events-worker.metrics';

export const EVENT_RATES_KEYS = {
  table: 'conveyor:events:rates:table',
  lock: 'conveyor:events:rates:lock',
  failure: 'conveyor:events:rates:failure',
} as const;

/**
 * The events' rate table: the conversions' mechanism (one Redis value, lock, pollers until a
 * deadline) with its own keys and provider. Its entries are never older than the maximum age:
 * Redis keeps a table for the maximum age less the second a worker may hold it in memory.
 */
@Injectable()
export class EventRatesService {
  private readonly shared: SharedRateTable;
  private memory?: { table: RateTable; until: number };
  private direct?: Promise<RateTable>;

  constructor(
    redis: RedisService,
    private readonly metrics: EventsWorkerMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const { rates, events } = config;
    this.shared = new SharedRateTable(
      redis,
      { fetches: metrics.ratesFetches, lookups: metrics.ratesLookups },
      {
        name: 'events rate provider',
        tableName: 'events exchange-rate',
        keys: EVENT_RATES_KEYS,
        providerUrl: events.ratesProviderUrl,
        providerTimeoutMs: rates.providerTimeoutMs,
        ttlMs: events.ratesMaxAgeMs - events.ratesMemoryMs,
        lockTtlMs: rates.lockTtlMs,
        waitMs: events.ratesWaitMs,
        pollMs: rates.pollMs,
        failureNoteMs: rates.failureNoteMs,
        parse: parseEventRates,
      },
    );
  }

  private async table(): Promise<RateTable> {
    if (this.memory && this.memory.until > Date.now()) {
      this.metrics.ratesLookups.inc({ served: 'memory' });
      return this.memory.table;
    }
    try {
      const table = await this.shared.table();
      this.memory = { table, until: Date.now() + this.config.events.ratesMemoryMs };
      return table;
    } catch (err) {
      if (!(err instanceof RatesStoreUnavailableError)) throw err;
      return this.withoutStore();
    }
  }

  /**
   * Redis is down, the provider may not be: an event has no retry, so rather than dead-letter it
   * this worker asks the provider itself (one call at a time) and keeps the table for as long as
   * Redis would have.
   */
  private withoutStore(): Promise<RateTable> {
    this.direct ??= (async () => {
      const asked = Date.now();
      try {
        const table = await this.shared.fromProvider();
        const { ratesMaxAgeMs, ratesMemoryMs } = this.config.events;
        this.memory = { table, until: asked + ratesMaxAgeMs - ratesMemoryMs };
        this.metrics.ratesLookups.inc({ served: 'without-store' });
        return table;
      } finally {
        this.direct = undefined;
      }
    })();
    return this.direct;
  }

  /**
   * The amounts of one message in euro cents, from one look at the table. Without a table (the
   * provider down), or with one that lacks a currency (its next refresh may bring it), it asks
   * again until the deadline; then the message is refused with the reason.
   */
  async toEurCents(items: { amount: number; currency: string }[]): Promise<number[]> {
    const convert = (table: RateTable) => items.map((i) => amountInEurCents(i.amount, i.currency, table));
    const foreign = items.filter((i) => i.currency !== 'EUR').map((i) => i.currency);
    if (foreign.length === 0) return items.map((i) => i.amount);
    const deadline = Date.now() + this.config.events.ratesWaitMs;
    for (;;) {
      let table: RateTable | undefined;
      let failure: string | undefined;
      try {
        table = await this.table();
      } catch (err) {
        if (!(err instanceof RatesUnavailableError)) throw err;
        failure = err.message;
      }
      if (table && foreign.every((c) => table.rates[c])) return convert(table);
      if (Date.now() >= deadline) {
        if (table) return convert(table); // refuses it, naming the currency
        throw new EventsError(
          'RATES_UNAVAILABLE',
          `no events rate table within ${this.config.events.ratesWaitMs} ms: ${failure}`,
        );
      }
      this.memory = undefined;
      await sleep(Math.min(this.config.rates.pollMs * 5, Math.max(0, deadline - Date.now())));
    }
  }
}
