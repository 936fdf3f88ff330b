import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every dead letter the gateway reads, kept for operators: why and where it died, its headers and
 * its body (bounded), until it is replayed or discarded. The fingerprint keeps a redelivered copy
 * from being stored twice.
 */
export class DeadLetters1765100000000 implements MigrationInterface {
  name = 'DeadLetters1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE dead_letters (
      id bigserial PRIMARY KEY,
      fingerprint bytea NOT NULL CONSTRAINT dead_letters_fingerprint_uq UNIQUE,
      queue varchar(300),
      reason varchar(100) NOT NULL,
      message text NOT NULL,
      exchange varchar(300),
      routing_key varchar(300),
      message_id varchar(300),
      task_id uuid,
      type varchar(300),
      content_type varchar(300),
      headers jsonb NOT NULL,
      body bytea NOT NULL,
      body_size int NOT NULL,
      died_at timestamptz,
      received_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX dead_letters_received_idx ON dead_letters (received_at, id)`);
    await q.query(`CREATE INDEX dead_letters_reason_idx ON dead_letters (reason, received_at)`);
    await q.query(`CREATE INDEX dead_letters_queue_idx ON dead_letters (queue, received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letters`);
  }
}
