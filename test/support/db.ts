import { Client } from 'pg';
import { waitFor } from './http';
import type { StackEnv } from './stack';

/** A direct Postgres connection for assertions about what was (not) written. */
export async function connectDb(env: StackEnv): Promise<Client> {
  const client = new Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  return client;
}

export async function counts(db: Client): Promise<{ tasks: number; outbox: number }> {
  const { rows } = await db.query<{ tasks: string; outbox: string }>(
    'SELECT (SELECT count(*) FROM tasks) AS tasks, (SELECT count(*) FROM outbox) AS outbox',
  );
  return { tasks: Number(rows[0].tasks), outbox: Number(rows[0].outbox) };
}

/** How many of the given tasks are in each status. */
export async function statusCounts(db: Client, ids: string[]): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM tasks WHERE id = ANY($1) GROUP BY status',
    [ids],
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Waits until none of the given tasks is pending, queued, running or retrying; returns the counts. */
export async function allFinished(db: Client, ids: string[], ms = 180_000): Promise<Record<string, number>> {
  return waitFor(
    'every task to finish',
    async () => {
      const counts = await statusCounts(db, ids);
      const open = ['pending', 'queued', 'running', 'retrying'].reduce((s, k) => s + (counts[k] ?? 0), 0);
      return open === 0 ? counts : undefined;
    },
    ms,
    250,
  );
}
