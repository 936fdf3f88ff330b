import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A task's outbox and attempt rows go with it through one statement trigger, not foreign keys.
 * The keys' checks ran a query and locked the task row (a WAL record) for each of the two rows
 * every task writes: about a tenth of the database's time in a batch run. Only the gateway's
 * repositories write these rows, each for a task it has just inserted or read; the trigger
 * deletes them with any task deleted (retention, DELETE /tasks/:id, a flow's cascade).
 */
export class TaskRowsCascade1765400000000 implements MigrationInterface {
  name = 'TaskRowsCascade1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP CONSTRAINT outbox_task_id_fkey`);
    await q.query(`ALTER TABLE task_attempts DROP CONSTRAINT task_attempts_task_id_fkey`);
    // = ANY(ARRAY(...)): each delete reads its table's task_id index, whatever the batch's size.
    await q.query(`CREATE FUNCTION tasks_delete_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM outbox WHERE task_id = ANY(ARRAY(SELECT id FROM gone));
        DELETE FROM task_attempts WHERE task_id = ANY(ARRAY(SELECT id FROM gone));
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER tasks_delete_rows AFTER DELETE ON tasks REFERENCING OLD TABLE AS gone
      FOR EACH STATEMENT EXECUTE FUNCTION tasks_delete_rows()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER tasks_delete_rows ON tasks`);
    await q.query(`DROP FUNCTION tasks_delete_rows()`);
    await q.query(
      `DELETE FROM outbox o WHERE o.task_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = o.task_id)`,
    );
    await q.query(
      `DELETE FROM task_attempts a WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = a.task_id)`,
    );
    await q.query(
      `ALTER TABLE outbox ADD CONSTRAINT outbox_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks(id) ON DELETE CASCADE`,
    );
    await q.query(
      `ALTER TABLE task_attempts ADD CONSTRAINT task_attempts_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks(id) ON DELETE CASCADE`,
    );
  }
}
