import { Injectable, Logger } from '@nestjs/common';
import { parseMessage, ratesMessageSchema } from '@conveyor/contracts';
import type { Delivery } from '@conveyor/messaging';
import { CurrencyListDto } from './currencies.dto';
import { CurrenciesRepository } from './currencies.repository';

@Injectable()
export class CurrenciesService {
  private readonly logger = new Logger(CurrenciesService.name);

  constructor(private readonly repo: CurrenciesRepository) {}

  async list(): Promise<CurrencyListDto> {
    return { items: await this.repo.list() };
  }

  /**
   * A worker refreshed the rate table: record rates and date. A malformed announcement is
   * dead-lettered; a database failure hands it back (the next refresh would bring the rates too).
   */
  async receiveRates(delivery: Delivery): Promise<void> {
    const parsed = parseMessage(ratesMessageSchema, delivery.body);
    if (!parsed.ok) {
      this.logger.warn(`invalid rate announcement dead-lettered: ${parsed.problem}`);
      delivery.nack(false);
      return;
    }
    try {
      const changed = await this.repo.applyRates(parsed.value);
      this.logger.log(`rate table of ${parsed.value.date} recorded (${changed} currencies)`);
      delivery.ack();
    } catch (err) {
      this.logger.warn(`rate table of ${parsed.value.date} not recorded: ${(err as Error).message}`);
      delivery.nack(true);
    }
  }
}
