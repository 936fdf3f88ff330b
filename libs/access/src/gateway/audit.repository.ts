import { Injectable } from '@nestjs/common';
import { CommitRow, Database, insertRow } from '@conveyor/db';

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

/** An entry as a row to insert, id included (UUID v7, so ids sort in time order). */
export function auditRow(id: string, entry: AuditEntry): CommitRow {
  const text = (value: string | null, max: number) => ({ type: 'text', value: value?.slice(0, max) ?? null });
  return {
    table: 'audit_log',
    columns: {
      id: { type: 'uuid', value: id },
      key_id: { type: 'uuid', value: entry.keyId },
      key_name: text(entry.keyName, 100),
      method: text(entry.method, 10),
      route: text(entry.route, 200),
      target_id: text(entry.targetId, 200),
      status: { type: 'smallint', value: entry.status },
      client_address: text(entry.clientAddress, 100),
    },
  };
}

const COLUMNS = `id, at, key_id AS "keyId", key_name AS "keyName", method, route,
  target_id AS "targetId", status, client_address AS "clientAddress"`;

/** Every SQL statement about the audit trail; rows are appended, never changed but for the status. */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  /** For a request that changed nothing in PostgreSQL (its row could not go with a change). */
  async append(id: string, entry: AuditEntry): Promise<void> {
    await insertRow(this.db, auditRow(id, entry));
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
