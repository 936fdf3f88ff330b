import type { FastifyRequest } from 'fastify';

/** The cookie the console's login sets: the API key, where the page's scripts cannot read it. */
export const SESSION_COOKIE = 'conveyor_key';
/** How long a login lasts (the key's own expiry and revocation still apply on every request). */
export const SESSION_SECONDS = 8 * 3600;

const COOKIE_VALUE = /^[\x21-\x7e]{1,200}$/;

/** The key in the request's session cookie, if it has one. */
export function sessionKey(req: FastifyRequest): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return COOKIE_VALUE.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/** HttpOnly, SameSite=Strict, the whole site; Secure outside local development and tests. */
export function sessionCookie(key: string | null, secure: boolean): string {
  const attributes = [
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${key === null ? 0 : SESSION_SECONDS}`,
  ];
  if (secure) attributes.push('Secure');
  return [`${SESSION_COOKIE}=${key ?? ''}`, ...attributes].join('; ');
}

/**
 * A change made with the cookie must come from a page of this gateway: its Origin names the host
 * the request was sent to. (A bearer key is never sent by a browser on its own, so it needs none.)
 */
export function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
