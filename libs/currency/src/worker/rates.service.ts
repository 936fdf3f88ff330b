import { Inject, Injectable, Logger } from '@nestjs/common';
import { RedisService } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { RATES_MESSAGE_TYPE, RateTable, RatesMessage } from '@conveyor/contracts';
import { AmqpService, EXCHANGES, STATUS_ROUTING_KEY } from '@conveyor/messaging';
import { parseEcbRates } from './ecb-rates';
import { RatesMetrics } from './rates.metrics';
import { SharedRateTable } from './shared-rate-table';

export { RatesUnavailableError } from './shared-rate-table';

/** Redis keys of the shared ECB rate table (all worker processes use the same three). */
export const RATES_KEYS = {
  table: 'conveyor:rates:table',
  lock: 'conveyor:rates:lock',
  /** Why the last refresh failed; while it lives, waiting workers don't hammer a failing provider. */
  failure: 'conveyor:rates:failure',
} as const;

/** The conversions' exchange-rate table (ECB), shared by every worker; each refresh is announced. */
@Injectable()
export class RatesService {
  private readonly logger = new Logger(RatesService.name);
  private readonly shared: SharedRateTable;

  constructor(
    redis: RedisService,
    private readonly amqp: AmqpService,
    metrics: RatesMetrics,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const r = config.rates;
    this.shared = new SharedRateTable(redis, metrics, {
      name: 'rate provider',
      tableName: 'exchange-rate',
      keys: RATES_KEYS,
      providerUrl: r.providerUrl,
      providerTimeoutMs: r.providerTimeoutMs,
      ttlMs: r.ttlSeconds * 1000,
      lockTtlMs: r.lockTtlMs,
      waitMs: r.waitMs,
      pollMs: r.pollMs,
      failureNoteMs: r.failureNoteMs,
      parse: parseEcbRates,
      onRefreshed: (table) => this.announce(table),
    });
  }

  table(signal?: AbortSignal): Promise<RateTable> {
    return this.shared.table(signal);
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
