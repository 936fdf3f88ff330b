import { Injectable } from '@nestjs/common';
import { Database, execute } from '@conveyor/db';
import type { Scope } from './scopes';

/** A row of api_keys; `secretHash` never leaves the gateway. */
export interface ApiKeyRow {
  id: string;
  name: string;
  scopes: Scope[];
  secretHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

const COLUMNS = `id, name, scopes, secret_hash AS "secretHash", created_at AS "createdAt",
  last_used_at AS "lastUsedAt", expires_at AS "expiresAt", revoked_at AS "revokedAt"`;

/** Every SQL statement about API keys. Reads go to the primary: a revocation must be seen at once. */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: Database) {}

  async insert(key: {
    id: string;
    name: string;
    scopes: Scope[];
    secretHash: string;
    expiresAt: Date | null;
  }): Promise<ApiKeyRow> {
    const rows: ApiKeyRow[] = await this.db.query(
      `INSERT INTO api_keys (id, name, scopes, secret_hash, expires_at) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${COLUMNS}`,
      [key.id, key.name, key.scopes, key.secretHash, key.expiresAt],
    );
    return rows[0];
  }

  async find(id: string): Promise<ApiKeyRow | null> {
    const rows: ApiKeyRow[] = await this.db.query(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Newest first; revoked keys too (the audit trail names them). */
  async list(limit: number, offset: number): Promise<ApiKeyRow[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`, [
      limit,
      offset,
    ]);
  }

  /** Marks a key revoked (kept, so the audit trail still names it); null when there is none. */
  async revoke(id: string): Promise<ApiKeyRow | null> {
    const { rows } = await execute<ApiKeyRow>(
      this.db,
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    );
    return rows[0] ?? null;
  }

  async touch(id: string): Promise<void> {
    await this.db.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [id]);
  }

  /** Admin keys that work now (production refuses to start without one). */
  async countUsableAdmins(): Promise<number> {
    const rows: { n: number }[] = await this.db.query(
      `SELECT count(*)::int AS n FROM api_keys
       WHERE 'admin' = ANY(scopes) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    );
    return rows[0].n;
  }
}
