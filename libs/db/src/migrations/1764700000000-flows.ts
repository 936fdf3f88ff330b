import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Flows: tasks that wait for other tasks. A flow task starts `waiting` with `waiting_on` parents to
 * go; an edge from a failed parent to an `ignore` child is marked `resolved` once counted, so the
 * parent's retry and success can never count it twice.
 */
export class Flows1764700000000 implements MigrationInterface {
  name = 'Flows1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE flows (
      id uuid PRIMARY KEY,
      name varchar(200),
      task_count int NOT NULL,
      idempotency_key varchar(200),
      idempotency_fingerprint char(64),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX flows_created_idx ON flows (created_at DESC, id DESC)`);
    // A repeated POST /flows with the same Idempotency-Key creates nothing: this index settles races.
    await q.query(
      `CREATE UNIQUE INDEX flows_idempotency_key_idx ON flows (idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await q.query(`ALTER TABLE tasks DROP CONSTRAINT tasks_status_ck`);
    await q.query(`ALTER TABLE tasks ADD CONSTRAINT tasks_status_ck CHECK (status IN
      ('waiting', 'pending', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled', 'dead'))`);
    await q.query(`ALTER TABLE tasks
      ADD COLUMN flow_id uuid REFERENCES flows (id) ON DELETE CASCADE,
      ADD COLUMN flow_key varchar(100),
      ADD COLUMN waiting_on int NOT NULL DEFAULT 0,
      ADD COLUMN on_parent_failure varchar(10) NOT NULL DEFAULT 'cancel'
        CONSTRAINT tasks_on_parent_failure_ck CHECK (on_parent_failure IN ('cancel', 'ignore')),
      ADD COLUMN parents jsonb`);
    // A flow's tasks by key; only flow tasks are in it, so plain tasks pay nothing for it.
    await q.query(
      `CREATE UNIQUE INDEX tasks_flow_key_idx ON tasks (flow_id, flow_key) WHERE flow_id IS NOT NULL`,
    );
    // Edges reference the flow, not the tasks: deleting a plain task fires no trigger here.
    await q.query(`CREATE TABLE task_parents (
      flow_id uuid NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
      parent_id uuid NOT NULL,
      task_id uuid NOT NULL,
      resolved boolean NOT NULL DEFAULT false,
      PRIMARY KEY (parent_id, task_id)
    )`);
    await q.query(`CREATE INDEX task_parents_task_idx ON task_parents (task_id)`);
    await q.query(`CREATE INDEX task_parents_flow_idx ON task_parents (flow_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE task_parents`);
    await q.query(`DELETE FROM tasks WHERE flow_id IS NOT NULL`);
    await q.query(`ALTER TABLE tasks DROP COLUMN flow_id, DROP COLUMN flow_key, DROP COLUMN waiting_on,
      DROP COLUMN on_parent_failure, DROP COLUMN parents`);
    await q.query(`ALTER TABLE tasks DROP CONSTRAINT tasks_status_ck`);
    await q.query(`ALTER TABLE tasks ADD CONSTRAINT tasks_status_ck CHECK (status IN
      ('pending', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled', 'dead'))`);
    await q.query(`DROP TABLE flows`);
  }
}
