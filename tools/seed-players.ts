import { Client } from 'pg';
import { loadConfig } from '@conveyor/config';

/**
 * Development only (`make up`): demo players 10–15 for the casino event stream, so generated
 * events show players with emails. Existing users are left as they are.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.env !== 'development')
    throw new Error(`demo players are for development only, not ${config.env}`);
  const db = new Client({ connectionString: config.db.url });
  await db.connect();
  try {
    const { rowCount } = await db.query(
      `INSERT INTO users (id, name, email, last_signed_in_at)
       SELECT id, 'Player ' || id, 'player' || id || '@example.com', now() - make_interval(hours => id)
       FROM generate_series(10, 15) AS id
       ON CONFLICT DO NOTHING`,
    );
    process.stdout.write(`demo players 10-15: ${rowCount ?? 0} added\n`);
  } finally {
    await db.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`seeding failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
