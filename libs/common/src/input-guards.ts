import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Input refused before it reaches a route: a 400 whose message says what is wrong and where. */
export class InputError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * How deep the text nests (objects and arrays), read without parsing it, stopping as soon as it
 * passes `max`: a megabyte of `[[[[…` is refused in a linear scan instead of reaching a recursive
 * parser or validator that would hold the event loop, or overflow its stack.
 */
export function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Keys that would reach an object's prototype in code that copies into plain objects. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first thing in a parsed body that no store can keep or no handler should see: a NUL
 * character (PostgreSQL text and jsonb refuse it), a lone surrogate (not Unicode; jsonb refuses
 * it), or a prototype key. Depth is already bounded, so the walk is too.
 */
export function bodyProblem(value: unknown, path = 'body'): string | undefined {
  if (typeof value === 'string') return stringProblem(value, path);
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = bodyProblem(value[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const at = path === 'body' ? key : `${path}.${key}`;
    if (FORBIDDEN_KEYS.has(key)) return `${at}: the key "${key}" is not allowed`;
    const problem = stringProblem(key, `${path} key ${JSON.stringify(key.slice(0, 40))}`);
    if (problem) return problem;
    const inner = bodyProblem((value as Record<string, unknown>)[key], at);
    if (inner) return inner;
  }
  return undefined;
}

export function stringProblem(text: string, path: string): string | undefined {
  if (text.includes('\u0000')) return `${path}: must not contain NUL characters (\\u0000)`;
  if (!text.isWellFormed()) return `${path}: must be valid Unicode (it holds a lone surrogate)`;
  return undefined;
}

/** The first query parameter (name or value) holding a NUL character or a lone surrogate. */
export function queryProblem(query: unknown): string | undefined {
  if (query === null || typeof query !== 'object') return undefined;
  for (const [key, value] of Object.entries(query)) {
    const problem =
      stringProblem(key, `query parameter name ${JSON.stringify(key.slice(0, 40))}`) ??
      (Array.isArray(value) ? value : [value]).reduce<string | undefined>(
        (found, v) =>
          found ?? (typeof v === 'string' ? stringProblem(v, `query parameter ${key}`) : undefined),
        undefined,
      );
    if (problem) return problem;
  }
  return undefined;
}

/**
 * A JSON body parser (in place of Fastify's) that refuses bodies nested deeper than `maxDepth`
 * before parsing them, parses with JSON.parse, then refuses what `bodyProblem` finds.
 */
export function jsonBodyParser(maxDepth: number) {
  return (_req: unknown, body: Buffer, done: (err: Error | null, parsed?: unknown) => void): void => {
    const text = body.toString('utf8');
    if (text.trim() === '')
      return done(new InputError('Body cannot be empty when content-type is application/json'));
    if (nestingExceeds(text, maxDepth)) {
      return done(new InputError(`body: nested deeper than ${maxDepth} levels (objects and arrays)`));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return done(new InputError(`Body is not valid JSON: ${(err as Error).message}`));
    }
    const problem = bodyProblem(parsed);
    done(problem ? new InputError(problem) : null, parsed);
  };
}

/** Guards every route of an app: JSON bodies through `jsonBodyParser`, queries through `queryProblem`. */
export function installInputGuards(
  app: NestFastifyApplication,
  http: { bodyLimit: number; jsonMaxDepth: number },
): void {
  app.useBodyParser('application/json', { bodyLimit: http.bodyLimit }, jsonBodyParser(http.jsonMaxDepth));
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (req, _reply, done) => {
      const problem = queryProblem(req.query);
      done(problem ? new InputError(problem) : undefined);
    });
}
