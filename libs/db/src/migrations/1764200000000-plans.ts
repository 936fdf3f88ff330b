import { MigrationInterface, QueryRunner } from 'typeorm';

/** Plans from the provider feed (never deleted), sync statistics, and one active sync at a time. */
export class Plans1764200000000 implements MigrationInterface {
  name = 'Plans1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE plans (
        -- derived from (base_plan_id, plan_id), so it is the same across ingests
        id uuid PRIMARY KEY,
        base_plan_id text NOT NULL,
        plan_id text NOT NULL,
        title text NOT NULL,
        -- the feed's local date-times, without a zone
        starts_at timestamp NOT NULL,
        ends_at timestamp NOT NULL,
        min_price numeric NOT NULL,
        max_price numeric NOT NULL,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT plans_identity_uq UNIQUE (base_plan_id, plan_id),
        CONSTRAINT plans_range_ck CHECK (starts_at <= ends_at),
        CONSTRAINT plans_prices_ck CHECK (min_price <= max_price)
      )`);
    // /search: plans starting at or after a time, in start order.
    await q.query(`CREATE INDEX plans_starts_idx ON plans (starts_at, ends_at)`);
    await q.query(`
      CREATE TABLE plan_syncs (
        task_id uuid PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
        chunks integer NOT NULL DEFAULT 0,
        -- how many chunks the sync sent, known once it succeeded (its chunks travel ahead of it)
        chunks_expected integer,
        plans_seen integer NOT NULL DEFAULT 0,
        plans_new integer NOT NULL DEFAULT 0,
        plans_changed integer NOT NULL DEFAULT 0,
        skipped jsonb NOT NULL DEFAULT '{}',
        warnings jsonb NOT NULL DEFAULT '{}'
      )`);
    // A redelivered chunk is applied once.
    await q.query(`
      CREATE TABLE plan_sync_chunks (
        task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        index integer NOT NULL,
        CONSTRAINT plan_sync_chunks_pk PRIMARY KEY (task_id, attempt, index)
      )`);
    // Never two syncs at once, whichever gateway schedules them.
    await q.query(
      `CREATE UNIQUE INDEX tasks_one_active_plans_sync_uq ON tasks (type)
       WHERE type = 'plans.sync' AND status IN ('pending', 'queued', 'running', 'retrying')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_one_active_plans_sync_uq`);
    await q.query(`DROP TABLE plan_sync_chunks`);
    await q.query(`DROP TABLE plan_syncs`);
    await q.query(`DROP TABLE plans`);
  }
}
