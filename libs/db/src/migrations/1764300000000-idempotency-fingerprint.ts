import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a request with an Idempotency-Key asked for (a SHA-256 of its canonical JSON), so the same
 * key with other parameters is refused instead of silently answering the first task.
 */
export class IdempotencyFingerprint1764300000000 implements MigrationInterface {
  name = 'IdempotencyFingerprint1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN idempotency_fingerprint text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks DROP COLUMN idempotency_fingerprint`);
  }
}
