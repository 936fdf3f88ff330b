import { requestFingerprint } from './idempotency';

describe('requestFingerprint', () => {
  const base = { type: 'demo.work', payload: { seconds: 1, cpuBound: false } };

  it('is the same for a repeat, whatever the key order, and with defaults spelled out or not', () => {
    expect(requestFingerprint({ ...base })).toBe(
      requestFingerprint({ payload: { cpuBound: false, seconds: 1 }, type: 'demo.work' }),
    );
    expect(requestFingerprint({ ...base })).toBe(requestFingerprint({ ...base, priority: 'normal' }));
  });

  it('differs when anything asked for differs', () => {
    const fingerprints = new Set(
      [
        base,
        { ...base, payload: { seconds: 2, cpuBound: false } },
        { ...base, priority: 'high' as const },
        { ...base, delaySeconds: 30 },
        { ...base, runAt: '2026-12-02T00:00:00Z' },
        { ...base, maxAttempts: 5 },
        { ...base, type: 'demo.other' },
      ].map(requestFingerprint),
    );
    expect(fingerprints.size).toBe(7);
  });
});
