import { decideRetry, retryDelayMs } from './retry-policy';

describe('retryDelayMs', () => {
  it('doubles with each attempt, between half and all of the ceiling', () => {
    expect(retryDelayMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(retryDelayMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(retryDelayMs(3, 1000, 60_000, () => 0)).toBe(2000);
    expect(retryDelayMs(3, 1000, 60_000, () => 1)).toBe(4000);
  });

  it('is capped', () => {
    expect(retryDelayMs(20, 1000, 60_000, () => 1)).toBe(60_000);
    expect(retryDelayMs(20, 1000, 60_000, () => 0)).toBe(30_000);
  });

  it('spreads retries that fail together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(4, 1000, 60_000)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(4000);
      expect(d).toBeLessThanOrEqual(8000);
    }
  });
});

describe('decideRetry', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };

  it('retries a retryable failure with attempts left, after the policy delay', () => {
    expect(decideRetry({ attempt: 1, maxAttempts: 3, retryable: true }, policy, () => 0)).toEqual({
      retry: true,
      delayMs: 500,
    });
    expect(decideRetry({ attempt: 2, maxAttempts: 3, retryable: true }, policy, () => 1)).toEqual({
      retry: true,
      delayMs: 2000,
    });
  });

  it('makes the failure of the last attempt final', () => {
    expect(decideRetry({ attempt: 3, maxAttempts: 3, retryable: true }, policy)).toEqual({ retry: false });
    // an attempt past the ceiling (a rerun lowered nothing, but a stale report may carry one)
    expect(decideRetry({ attempt: 5, maxAttempts: 3, retryable: true }, policy)).toEqual({ retry: false });
  });

  it('never retries a failure that is not retryable', () => {
    expect(decideRetry({ attempt: 1, maxAttempts: 20, retryable: false }, policy)).toEqual({ retry: false });
  });
});
