import { Injectable } from '@nestjs/common';
import { Database, Tx, execute, sqlState } from '@conveyor/db';
import { UsersError } from './users.error';

/** A row of the users table; UsersService maps it to the API's UserRow. */
export interface UserRow {
  id: number;
  name: string;
  email: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastProcessedAt: Date | null;
  processCount: number;
  lastSignedInAt: Date | null;
}

/** What an enriched casino event shows of its player. */
export interface PlayerRow {
  id: number;
  email: string | null;
  lastSignedInAt: Date | null;
}

const USER_COLUMNS = `id, name, email, created_at AS "createdAt", updated_at AS "updatedAt",
  last_processed_at AS "lastProcessedAt", process_count AS "processCount",
  last_signed_in_at AS "lastSignedInAt"`;

/** Every SQL statement about users. */
@Injectable()
export class UsersRepository {
  constructor(private readonly db: Database) {}

  async list(limit: number, offset: number): Promise<UserRow[]> {
    return this.db.query(`SELECT ${USER_COLUMNS} FROM users ORDER BY id LIMIT $1 OFFSET $2`, [limit, offset]);
  }

  async find(id: number): Promise<UserRow | null> {
    const rows: UserRow[] = await this.db.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Inserts with the caller's ID, or the next free assigned one; null when the caller's ID is taken. */
  async insert(user: {
    id?: number;
    name: string;
    email: string;
    lastSignedInAt?: Date | null;
  }): Promise<UserRow | null> {
    const signedIn = user.lastSignedInAt ?? null;
    return conflicts(async () => {
      if (user.id !== undefined) {
        const rows: UserRow[] = await this.db.query(
          `INSERT INTO users (id, name, email, last_signed_in_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id) DO NOTHING RETURNING ${USER_COLUMNS}`,
          [user.id, user.name, user.email, signedIn],
        );
        return rows[0] ?? null;
      }
      // The sequence may hand out an ID a caller chose earlier: skip to the next one.
      for (;;) {
        const rows: UserRow[] = await this.db.query(
          `INSERT INTO users (id, name, email, last_signed_in_at) VALUES (nextval('users_id_seq'), $1, $2, $3)
           ON CONFLICT (id) DO NOTHING RETURNING ${USER_COLUMNS}`,
          [user.name, user.email, signedIn],
        );
        if (rows[0]) return rows[0];
      }
    });
  }

  /** Sets the given fields (`lastSignedInAt: null` clears it); null when the user does not exist. */
  async update(
    id: number,
    fields: { name?: string; email?: string; lastSignedInAt?: Date | null },
  ): Promise<UserRow | null> {
    return conflicts(async () => {
      const { rows } = await execute<UserRow>(
        this.db,
        `UPDATE users SET name = COALESCE($2, name), email = COALESCE($3, email),
           last_signed_in_at = CASE WHEN $4 THEN $5::timestamptz ELSE last_signed_in_at END,
           updated_at = now()
         WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [
          id,
          fields.name ?? null,
          fields.email ?? null,
          fields.lastSignedInAt !== undefined,
          fields.lastSignedInAt ?? null,
        ],
      );
      return rows[0] ?? null;
    });
  }

  /** The players of a batch of casino events, in one query; read every time, never cached. */
  async findPlayers(ids: number[]): Promise<PlayerRow[]> {
    return this.db.query(
      `SELECT id, email, last_signed_in_at AS "lastSignedInAt" FROM users WHERE id = ANY($1::int[])`,
      [ids],
    );
  }

  async delete(id: number): Promise<boolean> {
    const { count } = await execute(this.db, `DELETE FROM users WHERE id = $1`, [id]);
    return count > 0;
  }

  /**
   * Records processed IDs: creates unknown users, sets `lastProcessedAt` and adds to `processCount`
   * (an ID can appear more than once in one call).
   */
  async recordProcessed(tx: Tx, userIds: number[]): Promise<void> {
    if (userIds.length === 0) return;
    await tx.query(
      `INSERT INTO users (id, name, process_count, last_processed_at)
       SELECT id, 'user ' || id, count(*), now() FROM unnest($1::int[]) AS x(id) GROUP BY id ORDER BY id
       ON CONFLICT (id) DO UPDATE SET process_count = users.process_count + EXCLUDED.process_count,
         last_processed_at = EXCLUDED.last_processed_at, updated_at = now()`,
      [userIds],
    );
  }
}

/** A duplicate email is the client's conflict (409), never a 500. */
async function conflicts<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const state = sqlState(err);
    if (state.code === '23505' && state.constraint === 'users_email_uq') {
      throw new UsersError('CONFLICT', 'email is already used by another user');
    }
    throw err;
  }
}
