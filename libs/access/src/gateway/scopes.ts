/** What a key may do. `admin` may do everything, including what has no scope of its own. */
export const SCOPES = [
  'tasks:read',
  'tasks:write',
  'users:read',
  'users:write',
  'events:read',
  'events:write',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * What a route asks for: a scope; `key` (any valid key: the docs and metrics when they are not
 * public, and routes nobody declared, so a forgotten one fails closed); or `public` (health).
 */
export type RouteAccess = Scope | 'key' | 'public';

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

export function allows(scopes: readonly Scope[], needed: RouteAccess): boolean {
  return needed === 'public' || needed === 'key' || scopes.includes('admin') || scopes.includes(needed);
}
