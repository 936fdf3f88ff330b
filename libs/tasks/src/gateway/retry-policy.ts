/** The gateway's retry settings (RETRY_BASE_MS, RETRY_MAX_MS). */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

/**
 * The one place that decides whether a failed attempt runs again, and after how long: a
 * retryable failure with attempts left is retried; anything else is final.
 */
export function decideRetry(
  failure: { attempt: number; maxAttempts: number; retryable: boolean },
  policy: RetryPolicy,
  random = Math.random,
): RetryDecision {
  if (!failure.retryable || failure.attempt >= failure.maxAttempts) return { retry: false };
  return { retry: true, delayMs: retryDelayMs(failure.attempt, policy.baseMs, policy.maxMs, random) };
}

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
