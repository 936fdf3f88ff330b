import type { DataSource } from 'typeorm';

/**
 * A transaction (or the pool outside one): all a repository needs to run SQL. Repositories take
 * this instead of TypeORM's EntityManager, so no other library's public types name TypeORM.
 */
export interface Tx {
  query<T = unknown>(sql: string, params?: unknown[]): Promise<T>;
}

/** The rows an UPDATE or DELETE returned and how many it touched (TypeORM answers `[rows, count]`). */
export async function execute<T>(
  tx: Tx,
  sql: string,
  params: unknown[],
): Promise<{ rows: T[]; count: number }> {
  const [rows, count] = await tx.query<[T[], number]>(sql, params);
  return { rows, count };
}

/** The primary database: queries on the pool, and transactions. */
export class Database implements Tx {
  constructor(private readonly source: DataSource) {}

  query<T = unknown>(sql: string, params?: unknown[]): Promise<T> {
    return this.source.query<T>(sql, params);
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.source.transaction((manager) => work(manager));
  }
}

/** Reads that may lag a little behind the primary: the streaming replica, when one is configured. */
export class ReadDatabase {
  constructor(private readonly source: DataSource) {}

  query<T = unknown>(sql: string, params?: unknown[]): Promise<T> {
    return this.source.query<T>(sql, params);
  }
}

/** PostgreSQL's SQLSTATE of a failed query (23505 is a unique violation), if it has one. */
export function sqlState(err: unknown): { code?: string; constraint?: string } {
  const driver = (err as { driverError?: { code?: unknown; constraint?: unknown } } | null)?.driverError;
  return {
    code: typeof driver?.code === 'string' ? driver.code : undefined,
    constraint: typeof driver?.constraint === 'string' ? driver.constraint : undefined,
  };
}
