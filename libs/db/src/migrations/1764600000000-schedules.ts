import { MigrationInterface, QueryRunner } from 'typeorm';

/** Schedules (cron or every N seconds) and their runs: one row per tick, claimed with its task. */
export class Schedules1764600000000 implements MigrationInterface {
  name = 'Schedules1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE schedules (
      id uuid PRIMARY KEY,
      name varchar(200) NOT NULL UNIQUE,
      cron varchar(200),
      every_seconds int,
      timezone varchar(100) NOT NULL,
      task jsonb NOT NULL,
      overlap varchar(10) NOT NULL,
      catch_up varchar(10) NOT NULL,
      start_at timestamptz,
      end_at timestamptz,
      paused boolean NOT NULL DEFAULT false,
      next_fire_at timestamptz,
      last_task_id uuid,
      builtin boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((cron IS NULL) <> (every_seconds IS NULL))
    )`);
    // The scheduler's question, every pass: which schedules are due?
    await q.query(`CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE NOT paused`);
    // The key of a tick: a second claim of the same tick (another gateway, a retry) is refused.
    await q.query(`CREATE TABLE schedule_runs (
      schedule_id uuid NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
      fire_at timestamptz NOT NULL,
      task_id uuid,
      outcome varchar(20) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (schedule_id, fire_at)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE schedule_runs`);
    await q.query(`DROP TABLE schedules`);
  }
}
