import { MigrationInterface, QueryRunner } from 'typeorm';

/** API keys (only a hash of each secret) and the audit trail of mutating requests. */
export class Access1764500000000 implements MigrationInterface {
  name = 'Access1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE api_keys (
      id uuid PRIMARY KEY,
      name varchar(100) NOT NULL,
      scopes text[] NOT NULL,
      secret_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      expires_at timestamptz,
      revoked_at timestamptz
    )`);
    await q.query(`CREATE TABLE audit_log (
      id uuid PRIMARY KEY,
      at timestamptz NOT NULL DEFAULT now(),
      key_id uuid,
      key_name varchar(100),
      method varchar(10) NOT NULL,
      route varchar(200) NOT NULL,
      target_id varchar(200),
      status smallint NOT NULL,
      client_address varchar(100)
    )`);
    // GET /audit filters by key and reads newest first (ids are UUID v7: in time order). No index
    // on `at`: every index is written by every mutating request, and `since` reads from the newest.
    await q.query(`CREATE INDEX audit_log_key_id ON audit_log (key_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP TABLE api_keys`);
  }
}
