import { MigrationInterface, QueryRunner } from 'typeorm';

/** The text of a task that `GET /tasks?q=` searches: payload, result and error, as one string. */
const TASK_SEARCH_TEXT = `(payload::text || ' ' || coalesce(result::text, '') || ' ' || coalesce(error::text, ''))`;

/**
 * Text search in tasks (the console's search box): a trigram index over payload, result and
 * error, so a case-insensitive substring query reads the matching rows instead of the table.
 * pg_trgm is a trusted extension: the database's owner may create it.
 */
export class TaskSearch1765200000000 implements MigrationInterface {
  name = 'TaskSearch1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`CREATE INDEX tasks_search_trgm_idx ON tasks USING gin (${TASK_SEARCH_TEXT} gin_trgm_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_search_trgm_idx`);
  }
}
