import { StatusMessage } from '@conveyor/contracts';
import { foldReports } from './report-fold';

const A = '01900000-0000-7000-8000-00000000000a';
const B = '01900000-0000-7000-8000-00000000000b';
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const r = (
  taskId: string,
  status: StatusMessage['status'],
  attempt: number,
  s: number,
  extra: Partial<StatusMessage> = {},
): StatusMessage => ({
  taskId,
  status,
  attempt,
  at: at(s),
  ...extra,
});

describe('foldReports', () => {
  it('keeps one report per task: the furthest status, with the start of its running report', () => {
    const folded = foldReports([
      r(A, 'running', 1, 1),
      r(B, 'running', 1, 2),
      r(A, 'succeeded', 1, 3, { result: { ok: 1 } }),
    ]);
    expect(folded).toHaveLength(2);
    const a = folded.find((f) => f.taskId === A)!;
    expect(a).toMatchObject({ status: 'succeeded', attempt: 1, result: { ok: 1 } });
    expect(a.startedAt?.toISOString()).toBe(at(1));
    expect(a.at.toISOString()).toBe(at(3));
  });

  it("takes the start from an outcome's startedAt when no running report was sent", () => {
    const [a] = foldReports([r(A, 'succeeded', 1, 3, { startedAt: at(2) })]);
    expect(a).toMatchObject({ status: 'succeeded' });
    expect(a.startedAt?.toISOString()).toBe(at(2));
  });

  it('takes the start from a running report that arrives after the outcome', () => {
    const [a] = foldReports([r(A, 'succeeded', 1, 3), r(A, 'running', 1, 1)]);
    expect(a).toMatchObject({ status: 'succeeded' });
    expect(a.startedAt?.toISOString()).toBe(at(1));
  });

  it('lets a newer attempt win over an older one, whatever their statuses', () => {
    const [a] = foldReports([
      r(A, 'failed', 1, 1, { error: { message: 'x', code: 'X', retryable: true } }),
      r(A, 'running', 2, 2),
    ]);
    expect(a).toMatchObject({ status: 'running', attempt: 2, error: null });
    const [b] = foldReports([r(B, 'running', 2, 2), r(B, 'succeeded', 1, 3)]);
    expect(b).toMatchObject({ status: 'running', attempt: 2 });
  });

  it('is unchanged by duplicates', () => {
    const once = foldReports([r(A, 'running', 1, 1), r(A, 'succeeded', 1, 2)]);
    const twice = foldReports([
      r(A, 'running', 1, 1),
      r(A, 'succeeded', 1, 2),
      r(A, 'succeeded', 1, 2),
      r(A, 'running', 1, 1),
    ]);
    expect(twice).toEqual(once);
  });

  it('folds progress into running with the highest progress of the attempt, in any order', () => {
    const [a] = foldReports([
      r(A, 'progress', 1, 3, { progress: 60 }),
      r(A, 'running', 1, 1),
      r(A, 'progress', 1, 2, { progress: 30 }),
    ]);
    expect(a).toMatchObject({ status: 'running', attempt: 1, progress: 60 });
    expect(a.startedAt?.toISOString()).toBe(at(1));
    const [b] = foldReports([r(B, 'progress', 1, 2, { progress: 40 }), r(B, 'running', 2, 3)]);
    expect(b).toMatchObject({ status: 'running', attempt: 2, progress: null });
  });

  it('lets an outcome win over progress of the same attempt', () => {
    const [a] = foldReports([r(A, 'progress', 1, 2, { progress: 50 }), r(A, 'cancelled', 1, 3)]);
    expect(a).toMatchObject({ status: 'cancelled', progress: 50 });
  });
});
