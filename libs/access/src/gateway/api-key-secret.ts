import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  secret: string,
  salt: Buffer,
  length: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/**
 * A key is `cvk_<id: 32 hex>_<secret: 43 base64url characters>`: 256 random bits of secret. The id
 * finds the row; only an scrypt hash of the secret is stored. scrypt's cost is modest (about 8 ms)
 * because the secret is random, not a password: the hash stops a leaked table from being used, and
 * a verified key is remembered, so the cost is paid once per key per gateway.
 */
const KEY_PATTERN = /^cvk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;
const PARAMS = { N: 4096, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const LENGTH = 32;

export interface ParsedKey {
  id: string;
  secret: string;
}

export function newKey(): { id: string; secret: string; key: string } {
  const id = randomUUID();
  const hex = id.replaceAll('-', '');
  const secret = randomBytes(32).toString('base64url');
  return { id, secret, key: `cvk_${hex}_${secret}` };
}

/** The id and secret of a well-formed key; undefined for anything else. */
export function parseKey(key: string): ParsedKey | undefined {
  const m = KEY_PATTERN.exec(key);
  if (!m) return undefined;
  return { id: uuidOf(m[1]), secret: m[2] };
}

function uuidOf(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, LENGTH, PARAMS);
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

/** Constant-time comparison of a secret with a stored hash; false for a hash it cannot read. */
export async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
