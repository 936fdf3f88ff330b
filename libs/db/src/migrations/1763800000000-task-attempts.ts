import { MigrationInterface, QueryRunner } from 'typeorm';

/** One row per attempt of a task: when it started and ended, and how. */
export class TaskAttempts1763800000000 implements MigrationInterface {
  name = 'TaskAttempts1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task_attempts (
        task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        status text NOT NULL CONSTRAINT task_attempts_status_ck CHECK (status IN ('running', 'succeeded', 'failed')),
        started_at timestamptz,
        finished_at timestamptz,
        error jsonb,
        CONSTRAINT task_attempts_pk PRIMARY KEY (task_id, attempt)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_attempts`);
  }
}
