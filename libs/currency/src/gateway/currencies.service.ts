import { Injectable, Logger } from '@nestjs/common';
import { ratesMessageSchema } from '@conveyor/contracts';
import { Delivery, parseOrDeadLetter } from '@conveyor/messaging';
import { CurrencyListDto } from './currencies.dto';
import { CurrenciesRepository } from './currencies.repository';

@Injectable()
export class CurrenciesService {
  private readonly logger = new Logger(CurrenciesService.name);

  constructor(private readonly repo: CurrenciesRepository) {}

  async list(): Promise<CurrencyListDto> {
    const rows = await this.repo.list();
    return {
      items: rows.map((r) => ({
        code: r.code,
        name: r.name,
        minorUnits: r.minorUnits,
        rate: r.rate,
        rateDate: r.rateDate,
      })),
    };
  }

  /**
   * A worker refreshed the rate table: record rates and date. A malformed announcement is
   * dead-lettered; a database failure hands it back (the next refresh would bring the rates too).
   */
  async receiveRates(delivery: Delivery): Promise<void> {
    const table = parseOrDeadLetter(delivery, ratesMessageSchema, 'rate announcement', this.logger);
    if (!table) return;
    try {
      const changed = await this.repo.applyRates(table);
      this.logger.log(`rate table of ${table.date} recorded (${changed} currencies)`);
      delivery.ack();
    } catch (err) {
      this.logger.warn(`rate table of ${table.date} not recorded: ${(err as Error).message}`);
      delivery.nack(true);
    }
  }
}
