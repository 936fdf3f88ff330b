import { Injectable } from '@nestjs/common';
import { Database, Tx } from '@conveyor/db';

/** One mutating request: who (key), what (method, route, target), how it ended, when, from where. */
export interface AuditEntry {
  keyId: string | null;
  keyName: string | null;
  method: string;
  route: string;
  targetId: string | null;
  status: number;
  clientAddress: string | null;
}

export interface AuditRow extends AuditEntry {
  id: string;
  at: Date;
}

const COLUMNS = `id::text AS id, at, key_id AS "keyId", key_name AS "keyName", method, route,
  target_id AS "targetId", status, client_address AS "clientAddress"`;

/** Every SQL statement about the audit trail; rows are appended, never changed but for the status. */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  async append(entry: AuditEntry, tx: Tx = this.db): Promise<string> {
    const rows: { id: string }[] = await tx.query(
      `INSERT INTO audit_log (key_id, key_name, method, route, target_id, status, client_address)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::text AS id`,
      [
        entry.keyId,
        entry.keyName,
        entry.method,
        entry.route.slice(0, 200),
        entry.targetId?.slice(0, 200) ?? null,
        entry.status,
        entry.clientAddress?.slice(0, 100) ?? null,
      ],
    );
    return rows[0].id;
  }

  /**
   * What was only known once the handler returned: its status (a repeated Idempotency-Key answers
   * 200, not 201) or the id of what it created (a transaction may return something else).
   */
  async complete(id: string, status: number, targetId: string | null): Promise<void> {
    await this.db.query(
      `UPDATE audit_log SET status = $2, target_id = COALESCE(target_id, $3) WHERE id = $1`,
      [id, status, targetId?.slice(0, 200) ?? null],
    );
  }

  /** Newest first. */
  async list(filter: { keyId?: string; since?: Date; limit: number }): Promise<AuditRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM audit_log
       WHERE ($1::uuid IS NULL OR key_id = $1) AND ($2::timestamptz IS NULL OR at >= $2)
       ORDER BY id DESC LIMIT $3`,
      [filter.keyId ?? null, filter.since ?? null, filter.limit],
    );
  }
}
