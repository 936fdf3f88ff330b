import { MigrationInterface, QueryRunner } from 'typeorm';

/** Users are the casino's players too: when each last signed in (shown on its enriched events). */
export class Players1764400000000 implements MigrationInterface {
  name = 'Players1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN last_signed_in_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN last_signed_in_at`);
  }
}
