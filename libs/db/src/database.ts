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

/** A row to insert, column by column with its SQL type (names come from code, never from input). */
export interface CommitRow {
  table: string;
  columns: Record<string, { type: string; value: unknown }>;
}

/**
 * A row a request wants written with the first change it commits (its audit row), given what that
 * change returned: inside the first transaction it runs, or inside a single-statement write that
 * asks for it (`commitRowCte`). Written once; `done` says it was.
 */
export interface CommitHook {
  done: boolean;
  row(result: unknown): CommitRow;
}

/** The commit hook of the request in progress, if it has one. */
export const commitHooks = new AsyncLocalStorage<CommitHook>();

function insertSql(row: CommitRow, firstParam: number, select: boolean): { sql: string; params: unknown[] } {
  const names = Object.keys(row.columns);
  const values = names.map((name, i) => `$${firstParam + i}::${row.columns[name].type}`);
  const sql = `INSERT INTO ${row.table} (${names.join(', ')}) ${select ? 'SELECT ' : 'VALUES ('}${values.join(', ')}${select ? '' : ')'}`;
  return { sql, params: names.map((name) => row.columns[name].value) };
}

/**
 * For a write that commits as one statement: the request's pending commit row as a CTE,
 * `commit_row AS (INSERT … SELECT … [FROM from])`, numbered from `firstParam`, so the row and the
 * change commit together in one round trip. Undefined when there is none (or it was written).
 */
export function commitRowCte(
  result: unknown,
  firstParam: number,
  from?: string,
): { cte: string; params: unknown[]; notWritten: () => void } | undefined {
  const hook = commitHooks.getStore();
  if (!hook || hook.done) return undefined;
  hook.done = true;
  const { sql, params } = insertSql(hook.row(result), firstParam, true);
  return {
    cte: `commit_row AS (${sql}${from ? ` FROM ${from}` : ''})`,
    params,
    // `from` was empty (nothing changed), or the statement failed: the row is still to be written.
    notWritten: () => (hook.done = false),
  };
}

/**
 * The commit rows of several requests whose changes one statement writes (a group commit), as
 * CTEs numbered from `firstParam`: one `INSERT … VALUES` per table and column set. Undefined when
 * there are none.
 */
export function commitRowsCte(
  rows: CommitRow[],
  firstParam: number,
): { cte: string; params: unknown[] } | undefined {
  if (rows.length === 0) return undefined;
  const params: unknown[] = [];
  const shapes = new Map<string, CommitRow[]>();
  for (const row of rows) {
    const shape = `${row.table}(${Object.keys(row.columns).join(', ')})`;
    shapes.set(shape, [...(shapes.get(shape) ?? []), row]);
  }
  const ctes = [...shapes.entries()].map(([shape, group], i) => {
    const values = group.map((row) => {
      const cells = Object.values(row.columns).map(({ type, value }) => {
        params.push(value);
        return `$${firstParam + params.length - 1}::${type}`;
      });
      return `(${cells.join(', ')})`;
    });
    return `commit_rows_${i} AS (INSERT INTO ${shape} VALUES ${values.join(', ')})`;
  });
  return { cte: ctes.join(', '), params };
}

/** Inserts one row (the commit hook's, or the same shape written on its own). */
export async function insertRow(tx: Tx, row: CommitRow): Promise<void> {
  const { sql, params } = insertSql(row, 1, false);
  await tx.query(sql, params);
}

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
          await insertRow(manager, hook.row(result));
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
