import { Client } from 'pg';
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
