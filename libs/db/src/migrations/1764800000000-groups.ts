import { MigrationInterface, QueryRunner } from 'typeorm';

/** Statuses a grouped task can be in before it ends, for the index that counts a group's work. */
const UNFINISHED = `('waiting', 'pending', 'queued', 'running', 'retrying')`;

/**
 * Groups: a task may name a group, whose limits (`task_groups`) the relay applies before it
 * publishes. A grouped task's outbox row carries the group, so it waits there, in its own index,
 * and the plain lanes' indexes never hold a grouped row (a throttled backlog costs them nothing).
 */
export class Groups1764800000000 implements MigrationInterface {
  name = 'Groups1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE task_groups (
      name varchar(200) PRIMARY KEY,
      concurrency int CONSTRAINT task_groups_concurrency_ck CHECK (concurrency >= 0),
      rate_per_second int CONSTRAINT task_groups_rate_ck CHECK (rate_per_second > 0),
      tokens double precision NOT NULL DEFAULT 0,
      refilled_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`ALTER TABLE tasks ADD COLUMN group_name varchar(200)`);
    // Running and waiting counts per group; plain tasks and finished ones are not in it.
    await q.query(`CREATE INDEX tasks_group_active_idx ON tasks (group_name, status)
      WHERE group_name IS NOT NULL AND status IN ${UNFINISHED}`);
    await q.query(`ALTER TABLE outbox ADD COLUMN group_name varchar(200)`);
    await q.query(`DROP INDEX outbox_high_available_idx`);
    await q.query(`DROP INDEX outbox_available_idx`);
    await q.query(`CREATE INDEX outbox_high_due_idx ON outbox (available_at, id)
      WHERE group_name IS NULL AND routing_key LIKE 'task.high.%'`);
    await q.query(`CREATE INDEX outbox_normal_due_idx ON outbox (available_at, id)
      WHERE group_name IS NULL AND routing_key NOT LIKE 'task.high.%'`);
    await q.query(`CREATE INDEX outbox_group_high_due_idx ON outbox (group_name, available_at, id)
      WHERE group_name IS NOT NULL AND routing_key LIKE 'task.high.%'`);
    await q.query(`CREATE INDEX outbox_group_normal_due_idx ON outbox (group_name, available_at, id)
      WHERE group_name IS NOT NULL AND routing_key NOT LIKE 'task.high.%'`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of ['high_due', 'normal_due', 'group_high_due', 'group_normal_due']) {
      await q.query(`DROP INDEX outbox_${index}_idx`);
    }
    await q.query(`CREATE INDEX outbox_available_idx ON outbox (available_at, id)`);
    await q.query(
      `CREATE INDEX outbox_high_available_idx ON outbox (available_at, id) WHERE routing_key LIKE 'task.high.%'`,
    );
    await q.query(`ALTER TABLE outbox DROP COLUMN group_name`);
    await q.query(`ALTER TABLE tasks DROP COLUMN group_name`);
    await q.query(`DROP TABLE task_groups`);
  }
}
