import Redis from 'ioredis';
import type { Client } from 'pg';
import type { StackEnv } from './stack';

/** Deletes the Redis keys that match a pattern (SCAN, never KEYS). */
export async function deleteKeys(env: StackEnv, pattern: string): Promise<void> {
  const redis = new Redis(env.REDIS_URL);
  try {
    for await (const keys of redis.scanStream({ match: pattern, count: 500 })) {
      if ((keys as string[]).length) await redis.del(...(keys as string[]));
    }
  } finally {
    await redis.quit();
  }
}

/**
 * The plans store as a fresh stack has it: no plans, no runs, no cached searches. For the specs
 * that count what a sync adds (another spec may have synced the sample feed before).
 */
export async function resetPlans(env: StackEnv, db: Client): Promise<void> {
  await db.query('TRUNCATE plan_sync_chunks, plan_syncs, plans');
  await deleteKeys(env, 'conveyor:search:*');
  await deleteKeys(env, 'conveyor:plans:*');
}
