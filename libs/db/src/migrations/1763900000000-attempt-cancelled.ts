import { MigrationInterface, QueryRunner } from 'typeorm';

/** An attempt can end cancelled: a worker stops a running task when the gateway cancels it. */
export class AttemptCancelled1763900000000 implements MigrationInterface {
  name = 'AttemptCancelled1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE task_attempts DROP CONSTRAINT task_attempts_status_ck`);
    await q.query(`ALTER TABLE task_attempts ADD CONSTRAINT task_attempts_status_ck
      CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE task_attempts SET status = 'failed' WHERE status = 'cancelled'`);
    await q.query(`ALTER TABLE task_attempts DROP CONSTRAINT task_attempts_status_ck`);
    await q.query(`ALTER TABLE task_attempts ADD CONSTRAINT task_attempts_status_ck
      CHECK (status IN ('running', 'succeeded', 'failed'))`);
  }
}
