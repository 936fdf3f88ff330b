import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tasks and the transactional outbox. */
export class Init1763700000000 implements MigrationInterface {
  name = 'Init1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tasks (
        id uuid PRIMARY KEY,
        type text NOT NULL,
        payload jsonb NOT NULL,
        priority text NOT NULL CONSTRAINT tasks_priority_ck CHECK (priority IN ('high', 'normal')),
        status text NOT NULL CONSTRAINT tasks_status_ck
          CHECK (status IN ('pending', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled', 'dead')),
        progress smallint NOT NULL DEFAULT 0 CONSTRAINT tasks_progress_ck CHECK (progress BETWEEN 0 AND 100),
        result jsonb,
        error jsonb,
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL CONSTRAINT tasks_max_attempts_ck CHECK (max_attempts BETWEEN 1 AND 20),
        run_at timestamptz NOT NULL,
        idempotency_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        queued_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX tasks_idempotency_key_uq ON tasks (idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    // The list endpoint orders by creation, optionally filtered by status or type.
    await q.query(`CREATE INDEX tasks_created_idx ON tasks (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX tasks_status_created_idx ON tasks (status, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX tasks_type_created_idx ON tasks (type, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        task_id uuid REFERENCES tasks (id) ON DELETE CASCADE,
        attempt integer,
        exchange text NOT NULL,
        routing_key text NOT NULL,
        message_id text NOT NULL,
        message_type text NOT NULL,
        body jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        available_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The relay's query: due rows in order of availability.
    await q.query(`CREATE INDEX outbox_available_idx ON outbox (available_at, id)`);
    await q.query(`CREATE INDEX outbox_task_idx ON outbox (task_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE tasks`);
  }
}
