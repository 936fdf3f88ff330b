import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../../tools/apps';

/** Where the test run's admin key is (global setup makes it with `npm run apikey -- ensure`). */
export const ADMIN_KEY_FILE = join(ROOT, '.data/test/admin.key');
let key: string | undefined;

/** The test run's admin key: every request sends it unless it says otherwise. */
export function adminKey(): string {
  return (key ??= readFileSync(ADMIN_KEY_FILE, 'utf8').trim());
}

/** The headers of a request made with `apiKey` (the admin key by default). */
export function authorized(
  headers: Record<string, string> = {},
  apiKey = adminKey(),
): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, ...headers };
}

export interface Reply<T = any> {
  status: number;
  body: T;
}

export async function request<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  // A request names its own authorization (or none, with an empty one), or sends the admin key.
  const own = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
  const sent = own
    ? Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== ''))
    : authorized(headers);
  const init: RequestInit = { method, headers: sent };
  if (body !== undefined) {
    init.body = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as T };
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `ms`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 30_000,
  every = 100,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await sleep(every);
  }
}

export const TERMINAL = ['succeeded', 'failed', 'cancelled', 'dead'];

/**
 * Polls GET /tasks/:id until the task has status `until` ('terminal' for any final one, or a
 * predicate), and returns it.
 */
export async function waitForTask(
  base: string,
  id: string,
  until: string | ((task: any) => boolean),
  ms = 30_000,
  every = 100,
): Promise<any> {
  const done =
    typeof until === 'function'
      ? until
      : (t: { status: string }) => (until === 'terminal' ? TERMINAL.includes(t.status) : t.status === until);
  return waitFor(
    `task ${id} to be ${typeof until === 'string' ? until : 'as expected'}`,
    async () => {
      const { body } = await request(base, 'GET', `/tasks/${id}`);
      return done(body) ? body : undefined;
    },
    ms,
    every,
  );
}

/** The sum of the series of an app's Prometheus metric whose labels contain `labels`; undefined if none. */
export async function metricValue(base: string, name: string, labels = ''): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const values = text
    .split('\n')
    .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(labels))
    .map((l) => Number(l.split(' ').at(-1)));
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}
