import { Client } from 'pg';
import Redis from 'ioredis';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT, stack, stackEnv } from './stack';
import { deleteConveyorQueues } from './rabbit';
import { ADMIN_KEY_FILE } from './http';

/** Starts the test stack, gives it a fresh schema, empty queues and an empty Redis. The apps must be built. */
export default async function globalSetup(): Promise<void> {
  if (!existsSync(resolve(ROOT, 'dist/apps/gateway/src/main.js'))) {
    throw new Error('integration tests run the built apps: run `npm run build` (make test does)');
  }
  stack('up');
  const env = stackEnv();
  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  await db.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  await db.end();
  execFileSync('node', ['dist/libs/db/src/migrate.js'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  // The run's admin key (the old one went with the schema); test/support/http.ts sends it.
  execFileSync('node', ['dist/tools/apikey.js', 'ensure', '--file', ADMIN_KEY_FILE, '--name', 'tests'], {
    cwd: ROOT,
    env: { ...process.env, ...env, NODE_ENV: 'test' },
    stdio: 'inherit',
  });
  await deleteConveyorQueues(env);
  // The test profile's own Redis: caches and locks of an earlier run must not answer this one.
  const redis = new Redis(env.REDIS_URL);
  await redis.flushdb();
  await redis.quit();
}
