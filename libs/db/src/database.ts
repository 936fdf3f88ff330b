import { AsyncLocalStorage } from 'node:async_hooks';
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

/**
 * Work a request wants done inside the first transaction it commits (the audit row of a change),
 * given that transaction and what its work returned. Runs once; later transactions run without it.
 */
export interface CommitHook {
  done: boolean;
  beforeCommit(tx: Tx, result: unknown): Promise<void>;
}

/** The commit hook of the request in progress, if it has one. */
export const commitHooks = new AsyncLocalStorage<CommitHook>();

/** The primary database: queries on the pool, and transactions. */
export class Database implements Tx {
  constructor(private readonly source: DataSource) {}

  query<T = unknown>(sql: string, params?: unknown[]): Promise<T> {
    return this.source.query<T>(sql, params);
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const hook = commitHooks.getStore();
    let hooked = false;
    return this.source
      .transaction(async (manager) => {
        const result = await work(manager);
        if (hook && !hook.done) {
          hook.done = hooked = true;
          await hook.beforeCommit(manager, result);
        }
        return result;
      })
      .catch((err: unknown) => {
        if (hooked && hook) hook.done = false; // rolled back: a retried transaction still gets it
        throw err;
      });
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
