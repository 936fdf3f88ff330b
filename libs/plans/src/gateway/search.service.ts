import { Injectable } from '@nestjs/common';
import { PlansRepository } from './plans.repository';
import { SearchCache } from './search.cache';

/** ISO 8601 date-time with optional fraction and zone; a bare date means its midnight. */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export interface SearchAnswer {
  status: 200 | 400;
  /** The JSON of the answer, in the reference format (bytes when it comes from memory). */
  body: string | Buffer;
}

/**
 * `GET /search`: validation and the answer format of the reference, cached answers as stored
 * JSON (a hit is served without parsing, validating or serialising anything).
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly repo: PlansRepository,
    private readonly cache: SearchCache,
  ) {}

  /** `raw` is the request's query string as sent: what this gateway's memory is keyed by. */
  async search(query: Record<string, unknown>, raw: string): Promise<SearchAnswer> {
    const near = this.cache.near(raw);
    if (near) return { status: 200, body: near };
    const unknown = Object.keys(query).filter((k) => k !== 'starts_at' && k !== 'ends_at');
    if (unknown.length > 0) return problem('UNKNOWN_PARAMETER', `unknown parameter ${unknown[0]}`);
    const from = localTime(query.starts_at);
    if (from === false) return problem('INVALID_PARAMETER', isoMessage('starts_at'));
    const to = localTime(query.ends_at);
    if (to === false) return problem('INVALID_PARAMETER', isoMessage('ends_at'));
    if (from && to && from > to) return problem('INVALID_RANGE', 'starts_at must not be after ends_at');

    const cached = await this.cache.get(`${from ?? ''}|${to ?? ''}`, raw);
    if ('hit' in cached) return { status: 200, body: cached.hit };
    const events = await this.repo.search(from, to);
    const json = JSON.stringify({ data: { events }, error: null });
    cached.store?.(json);
    return { status: 200, body: json };
  }
}

function problem(code: string, message: string): SearchAnswer {
  return { status: 400, body: JSON.stringify({ data: null, error: { code, message } }) };
}

function isoMessage(name: string): string {
  return `${name} must be an ISO 8601 date-time, like 2021-02-01T00:00:00Z`;
}

/**
 * The parameter as a local date-time `YYYY-MM-DDTHH:mm:ss` (the feed's times have no zone: a time
 * with an offset is taken in UTC). Absent → null; invalid (including 31 September) → false.
 */
export function localTime(raw: unknown): string | null | false {
  if (raw === undefined) return null;
  if (typeof raw !== 'string') return false;
  const m = ISO.exec(raw.trim());
  if (!m) return false;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m
    .slice(1, 7)
    .map((v) => (v === undefined ? undefined : Number(v)));
  if (h > 23 || mi > 59 || s > 59) return false;
  const wall = Date.UTC(y!, mo! - 1, d, h, mi, s);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo! - 1 || check.getUTCDate() !== d)
    return false;
  const zone = m[7];
  let at = wall;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    at -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return new Date(at).toISOString().slice(0, 19);
}
