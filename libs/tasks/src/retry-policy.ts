/**
 * Delay before attempt `failedAttempt + 1`: exponential in the attempt number, capped, with
 * "equal jitter" (half fixed, half random) so retries of many tasks that failed together spread out.
 */
export function retryDelayMs(
  failedAttempt: number,
  baseMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, failedAttempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
