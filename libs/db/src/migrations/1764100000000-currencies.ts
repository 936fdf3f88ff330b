import { MigrationInterface, QueryRunner } from 'typeorm';

/** The ECB set with ISO 4217 names and minor units, as of this migration (rates come from refreshes). */
const SEED: readonly [string, string, number][] = [
  ['EUR', 'Euro', 2],
  ['USD', 'US dollar', 2],
  ['JPY', 'Japanese yen', 0],
  ['BGN', 'Bulgarian lev', 2],
  ['CZK', 'Czech koruna', 2],
  ['DKK', 'Danish krone', 2],
  ['GBP', 'Pound sterling', 2],
  ['HUF', 'Hungarian forint', 2],
  ['PLN', 'Polish zloty', 2],
  ['RON', 'Romanian leu', 2],
  ['SEK', 'Swedish krona', 2],
  ['CHF', 'Swiss franc', 2],
  ['ISK', 'Icelandic krona', 0],
  ['NOK', 'Norwegian krone', 2],
  ['TRY', 'Turkish lira', 2],
  ['AUD', 'Australian dollar', 2],
  ['BRL', 'Brazilian real', 2],
  ['CAD', 'Canadian dollar', 2],
  ['CNY', 'Chinese yuan renminbi', 2],
  ['HKD', 'Hong Kong dollar', 2],
  ['IDR', 'Indonesian rupiah', 2],
  ['ILS', 'Israeli shekel', 2],
  ['INR', 'Indian rupee', 2],
  ['KRW', 'South Korean won', 0],
  ['MXN', 'Mexican peso', 2],
  ['MYR', 'Malaysian ringgit', 2],
  ['NZD', 'New Zealand dollar', 2],
  ['PHP', 'Philippine peso', 2],
  ['SGD', 'Singapore dollar', 2],
  ['THB', 'Thai baht', 2],
  ['ZAR', 'South African rand', 2],
];

/** Currencies with their latest rate against EUR, and the outbox index that puts the high lane first. */
export class Currencies1764100000000 implements MigrationInterface {
  name = 'Currencies1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE currencies (
        code text PRIMARY KEY CONSTRAINT currencies_code_ck CHECK (code ~ '^[A-Z]{3}$'),
        name text NOT NULL,
        minor_units smallint NOT NULL CONSTRAINT currencies_minor_units_ck CHECK (minor_units BETWEEN 0 AND 4),
        -- units per 1 EUR, exactly as the provider wrote it; null until the first refresh
        rate numeric CONSTRAINT currencies_rate_ck CHECK (rate > 0),
        rate_date date,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `INSERT INTO currencies (code, name, minor_units)
       SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[])`,
      [SEED.map((c) => c[0]), SEED.map((c) => c[1]), SEED.map((c) => c[2])],
    );
    await q.query(`UPDATE currencies SET rate = 1 WHERE code = 'EUR'`);
    // The relay claims due high-lane rows before the rest.
    await q.query(
      `CREATE INDEX outbox_high_available_idx ON outbox (available_at, id) WHERE routing_key LIKE 'task.high.%'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_high_available_idx`);
    await q.query(`DROP TABLE currencies`);
  }
}
