import { MigrationInterface, QueryRunner } from 'typeorm';

const TASK_SEARCH_TEXT = `(payload::text || ' ' || coalesce(result::text, '') || ' ' || coalesce(error::text, ''))`;
const FINISHED = `status IN ('succeeded', 'failed', 'cancelled', 'dead')`;

/**
 * The task search's trigram index covers finished tasks only. Over every row, each of a task's
 * three writes (insert, `queued`, outcome: none is HOT, as status is indexed) added a row's
 * trigrams to it; now only the outcome does. Unfinished tasks are searched through the status
 * index (task-search.ts in the tasks lib): a set the workers keep small, unless a backlog builds.
 */
export class TaskSearchFinished1765300000000 implements MigrationInterface {
  name = 'TaskSearchFinished1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_search_trgm_idx`);
    await q.query(
      `CREATE INDEX tasks_search_trgm_idx ON tasks USING gin (${TASK_SEARCH_TEXT} gin_trgm_ops) WHERE ${FINISHED}`,
    );
    // ANALYZE kept statistics of the whole index's expression, not of the partial one's: without
    // these the planner guessed 98 rows for a term 20,000 tasks have, and sorted them all instead
    // of reading the newest through tasks_created_idx (268 ms against 8 ms on 1,000,000 tasks).
    await q.query(`CREATE STATISTICS tasks_search_text_stats ON (${TASK_SEARCH_TEXT}) FROM tasks`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP STATISTICS tasks_search_text_stats`);
    await q.query(`DROP INDEX tasks_search_trgm_idx`);
    await q.query(`CREATE INDEX tasks_search_trgm_idx ON tasks USING gin (${TASK_SEARCH_TEXT} gin_trgm_ops)`);
  }
}
