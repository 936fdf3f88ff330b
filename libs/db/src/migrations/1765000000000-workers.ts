import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workers as their heartbeats describe them: one row per worker process, replaced by each beat,
 * so any gateway answers `GET /workers` for all of them.
 */
export class Workers1765000000000 implements MigrationInterface {
  name = 'Workers1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE workers (
      id varchar(300) PRIMARY KEY,
      host varchar(255) NOT NULL,
      pid int NOT NULL,
      version varchar(50) NOT NULL,
      started_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      interval_ms int NOT NULL,
      broker_node varchar(300),
      cpu_threads int NOT NULL,
      pool_utilization double precision NOT NULL,
      lanes jsonb NOT NULL,
      stopped_at timestamptz
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE workers`);
  }
}
