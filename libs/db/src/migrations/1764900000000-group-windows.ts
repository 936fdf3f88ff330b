import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A rate-limited group keeps its starts of the last second in 10 ms slots beside its token
 * bucket: the bucket may then hold more than a pass's worth, so a relay pass that comes late
 * catches up instead of losing the tokens, and the window keeps every second at the rate.
 */
export class GroupWindows1764900000000 implements MigrationInterface {
  name = 'GroupWindows1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task_groups ADD COLUMN window_slots int[] NOT NULL DEFAULT '{}',
      ADD COLUMN window_epoch bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task_groups DROP COLUMN window_slots, DROP COLUMN window_epoch`);
  }
}
