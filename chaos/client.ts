/** The chaos run's HTTP client: authenticated, bounded in time, failing over between gateways. */
export interface Answer {
  /** 0 when no answer came (refused, reset, timed out). */
  status: number;
  body: any;
  ms: number;
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 15_000,
): Promise<Answer> {
  const started = Date.now();
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${process.env.CHAOS_API_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, ms: Date.now() - started };
  } catch {
    return { status: 0, body: null, ms: Date.now() - started };
  }
}

/**
 * A request to the first live gateway that answers with anything but 0 or 503, as a client behind
 * a load balancer retries another instance; the last answer when none does.
 */
export async function callAny(
  bases: () => string[],
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer> {
  let last: Answer = { status: 0, body: null, ms: 0 };
  for (const base of bases()) {
    last = await call(base, method, path, body);
    if (last.status !== 0 && last.status !== 503) return last;
  }
  return last;
}
