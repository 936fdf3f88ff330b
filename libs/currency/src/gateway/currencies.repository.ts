import { Injectable } from '@nestjs/common';
import { Database } from '@conveyor/db';
import type { RatesMessage } from '@conveyor/contracts';

/** A currency with its latest rate against EUR, as stored (decimal text). */
export interface CurrencyRow {
  code: string;
  name: string;
  minorUnits: number;
  rate: string | null;
  rateDate: string | null;
}

/** Every SQL statement about currencies. */
@Injectable()
export class CurrenciesRepository {
  constructor(private readonly db: Database) {}

  async list(): Promise<CurrencyRow[]> {
    return this.db.query(
      `SELECT code, name, minor_units AS "minorUnits", rate::text AS rate,
         to_char(rate_date, 'YYYY-MM-DD') AS "rateDate"
       FROM currencies ORDER BY code`,
    );
  }

  /**
   * Records a refreshed table: each known currency takes its rate and date, unless it already has
   * a newer date (an older refresh arriving late never moves a rate backwards). Returns the rows changed.
   */
  async applyRates(table: RatesMessage): Promise<number> {
    const codes = ['EUR', ...Object.keys(table.rates).filter((c) => c !== 'EUR')];
    const rates = ['1', ...codes.slice(1).map((c) => table.rates[c])];
    const rows: unknown[] = await this.db.query(
      `UPDATE currencies c SET rate = x.rate, rate_date = $3::date, updated_at = now()
       FROM unnest($1::text[], $2::numeric[]) AS x(code, rate)
       WHERE c.code = x.code AND (c.rate_date IS NULL OR c.rate_date <= $3::date)
       RETURNING c.code`,
      [codes, rates, table.date],
    );
    return rows.length;
  }
}
