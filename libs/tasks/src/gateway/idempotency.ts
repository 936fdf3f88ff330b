import { createHash } from 'node:crypto';
import type { TaskCreateDto } from './tasks.dto';

/** JSON with every object's keys in order, so the same request always reads the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A SHA-256 of a request's canonical JSON: the same request always reads the same. */
export function fingerprintOf(asked: unknown): string {
  return createHash('sha256').update(canonical(asked)).digest('hex');
}

/** The visible ASCII an Idempotency-Key may hold (1..200 characters). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * What a POST /tasks asked for, as a SHA-256 of its canonical JSON (defaults filled in, key order
 * ignored): a repeat with the same Idempotency-Key matches it; a reuse with other parameters does not.
 */
export function requestFingerprint(dto: TaskCreateDto): string {
  const asked = {
    type: dto.type,
    payload: dto.payload,
    priority: dto.priority ?? 'normal',
    runAt: dto.runAt,
    delaySeconds: dto.delaySeconds,
    maxAttempts: dto.maxAttempts,
  };
  return fingerprintOf(asked);
}
