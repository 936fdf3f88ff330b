import { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, and ID batches that schedule one `user.process` task per ID over a 15-slot window. */
export class UsersIdBatches1764000000000 implements MigrationInterface {
  name = 'UsersIdBatches1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id integer PRIMARY KEY CONSTRAINT users_id_ck CHECK (id > 0),
        name text NOT NULL,
        -- null for a user created by processing its ID, until someone sets it
        email text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_processed_at timestamptz,
        process_count integer NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_uq ON users (lower(email))`);
    // Assigned IDs; a caller's own ID may be taken later, so inserts skip IDs already in use.
    await q.query(`CREATE SEQUENCE users_id_seq AS integer OWNED BY users.id`);
    await q.query(`
      CREATE TABLE id_batches (
        id uuid PRIMARY KEY,
        rpm integer NOT NULL CONSTRAINT id_batches_rpm_ck CHECK (rpm BETWEEN 1 AND 10000),
        starts_at timestamptz NOT NULL,
        slot_ms integer NOT NULL,
        total integer NOT NULL CONSTRAINT id_batches_total_ck CHECK (total > 0),
        -- {"kind":"range","from","to"} or {"kind":"list","ids":[...]}: IDs in batch order
        source jsonb NOT NULL,
        -- how many IDs, in slot order, already have their task
        materialized integer NOT NULL DEFAULT 0,
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX id_batches_open_ix ON id_batches (created_at) WHERE materialized < total AND cancelled_at IS NULL`,
    );
    await q.query(
      `CREATE INDEX tasks_batch_ix ON tasks ((payload ->> 'batchId'), run_at) WHERE type = 'user.process'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_batch_ix`);
    await q.query(`DROP TABLE id_batches`);
    await q.query(`DROP TABLE users`);
  }
}
