import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `work` until it succeeds, waiting 100 ms, then twice as long up to 5 s, between tries (say,
 * while PostgreSQL is down); undefined once `signal` aborts (shutdown: the work stays undone).
 */
export async function untilDone<T>(
  work: () => Promise<T>,
  signal: AbortSignal,
  onRetry: (err: unknown, waitMs: number) => void,
): Promise<T | undefined> {
  for (let wait = 100; !signal.aborted; wait = Math.min(wait * 2, 5000)) {
    try {
      return await work();
    } catch (err) {
      onRetry(err, wait);
      await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
  }
  return undefined;
}
