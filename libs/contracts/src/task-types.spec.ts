import { TASK_TYPES, TASK_TYPE_NAME, checkPayload, demoWork, findTaskType } from './task-types';

describe('task type contracts', () => {
  it('has unique, routable names', () => {
    const names = TASK_TYPES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(TASK_TYPE_NAME);
  });

  it('accepts a valid demo.work payload and picks its kind', () => {
    const check = checkPayload(demoWork, { seconds: 0.5, cpuBound: true });
    expect(check.ok).toBe(true);
    if (check.ok) expect(demoWork.kindOf(check.payload)).toBe('cpu');
  });

  it('names the field of a wrong type, an unknown field and a missing one', () => {
    const wrongType = checkPayload(demoWork, { seconds: 'x', cpuBound: false });
    expect(wrongType.ok).toBe(false);
    if (!wrongType.ok) expect(wrongType.problems.join()).toMatch(/payload\.seconds/);

    const unknown = checkPayload(demoWork, { seconds: 1, cpuBound: false, extra: 1 });
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.problems.join()).toMatch(/payload\.extra should not exist/);

    const missing = checkPayload(demoWork, { seconds: 1 });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.problems.join()).toMatch(/payload\.cpuBound/);
  });

  it('rejects a payload that is not an object', () => {
    expect(checkPayload(demoWork, [1, 2]).ok).toBe(false);
    expect(checkPayload(demoWork, null).ok).toBe(false);
  });

  it('finds types by name only', () => {
    expect(findTaskType('demo.work')).toBe(demoWork);
    expect(findTaskType('nope')).toBeUndefined();
  });
});
