import { bodyProblem, nestingExceeds, queryProblem } from './input-guards';

const NUL = String.fromCharCode(0);
const LONE_HIGH = String.fromCharCode(0xd800);
const LONE_LOW = String.fromCharCode(0xdc00);

describe('nestingExceeds', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(nestingExceeds('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(nestingExceeds('{"a":[{"b":1}]}', 2)).toBe(true);
    expect(nestingExceeds('{"a":"[[[[[[[[{{{{{{"}', 1)).toBe(false);
    expect(nestingExceeds('{"a":"\\"[[[[["}', 1)).toBe(false);
  });

  it('stops early on a huge nest', () => {
    const deep = '['.repeat(524_000) + ']'.repeat(524_000);
    const started = performance.now();
    expect(nestingExceeds(deep, 64)).toBe(true);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('bodyProblem', () => {
  it('accepts ordinary JSON, emoji (surrogate pairs) included', () => {
    expect(
      bodyProblem({ type: 'demo.work', payload: { seconds: 1, note: 'ok 👍', list: [1, 'x', null] } }),
    ).toBe(undefined);
  });

  it('names where a NUL character is, in a value or a key', () => {
    expect(bodyProblem({ name: `a${NUL}b` })).toBe('name: must not contain NUL characters (\\u0000)');
    expect(bodyProblem({ items: [{ payload: { x: ['ok', `b${NUL}`] } }] })).toBe(
      'items[0].payload.x[1]: must not contain NUL characters (\\u0000)',
    );
    expect(bodyProblem({ payload: { [`k${NUL}`]: 1 } })).toBe(
      'payload key "k\\u0000": must not contain NUL characters (\\u0000)',
    );
  });

  it('names a lone surrogate', () => {
    expect(bodyProblem({ name: `a${LONE_HIGH}b` })).toBe(
      'name: must be valid Unicode (it holds a lone surrogate)',
    );
    expect(bodyProblem({ name: LONE_LOW })).toBe('name: must be valid Unicode (it holds a lone surrogate)');
  });

  it('refuses prototype keys with their name instead of "not valid JSON"', () => {
    expect(bodyProblem(JSON.parse('{"__proto__": {"admin": true}}'))).toBe(
      '__proto__: the key "__proto__" is not allowed',
    );
    expect(bodyProblem({ payload: { constructor: { prototype: 1 } } })).toBe(
      'payload.constructor: the key "constructor" is not allowed',
    );
  });
});

describe('queryProblem', () => {
  it('names a query parameter holding a NUL or a lone surrogate, in its name or any of its values', () => {
    expect(queryProblem({ type: 'demo.work', limit: '5' })).toBeUndefined();
    expect(queryProblem({ type: `demo${NUL}work` })).toBe(
      'query parameter type: must not contain NUL characters (\\u0000)',
    );
    expect(queryProblem({ type: ['a', `b${LONE_HIGH}`] })).toBe(
      'query parameter type: must be valid Unicode (it holds a lone surrogate)',
    );
    expect(queryProblem({ [`x${NUL}`]: '1' })).toBe(
      'query parameter name "x\\u0000": must not contain NUL characters (\\u0000)',
    );
  });
});
