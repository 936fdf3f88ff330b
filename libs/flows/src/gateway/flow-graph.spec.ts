import { findCycle, graphProblems } from './flow-graph';

describe('flow graph checks', () => {
  it('accepts a diamond and a long chain', () => {
    expect(
      graphProblems([
        { key: 'a' },
        { key: 'b', dependsOn: ['a'] },
        { key: 'c', dependsOn: ['a'] },
        { key: 'd', dependsOn: ['b', 'c'] },
      ]),
    ).toEqual([]);
    const chain = Array.from({ length: 1000 }, (_, i) => ({
      key: `t${i}`,
      dependsOn: i ? [`t${i - 1}`] : [],
    }));
    expect(graphProblems(chain)).toEqual([]);
  });

  it('names duplicate keys, unknown, repeated and self dependencies', () => {
    expect(
      graphProblems([
        { key: 'a', dependsOn: ['a'] },
        { key: 'b', dependsOn: ['zz', 'a', 'a'] },
        { key: 'a' },
      ]),
    ).toEqual([
      "tasks[2].key: duplicate key 'a' (also tasks[0])",
      "tasks[0].dependsOn: 'a' depends on itself",
      "tasks[1].dependsOn: unknown key 'zz'",
      "tasks[1].dependsOn: 'a' is listed twice",
    ]);
  });

  it('names the keys of a cycle, however deep', () => {
    expect(
      graphProblems([
        { key: 'a', dependsOn: ['c'] },
        { key: 'b', dependsOn: ['a'] },
        { key: 'c', dependsOn: ['b'] },
        { key: 'x' },
      ]),
    ).toEqual(['tasks: dependency cycle a → c → b → a']);
    const ring = Array.from({ length: 1000 }, (_, i) => ({
      key: `t${i}`,
      dependsOn: [`t${(i + 1) % 1000}`],
    }));
    const cycle = findCycle(ring);
    expect(cycle).toHaveLength(1001);
    expect(cycle?.[0]).toBe(cycle?.[1000]);
  });

  it('refuses more than 100,000 dependencies in all, before looking for cycles', () => {
    const keys = Array.from({ length: 400 }, (_, i) => `k${i}`);
    const dense = keys.map((key, i) => ({ key, dependsOn: keys.slice(0, i) })); // 79,800 edges
    expect(graphProblems(dense)).toEqual([]);
    const denser = [...dense, ...Array.from({ length: 60 }, (_, i) => ({ key: `x${i}`, dependsOn: keys }))];
    expect(graphProblems(denser)).toEqual(['tasks: 103800 dependencies in all, at most 100000']);
  });
});
