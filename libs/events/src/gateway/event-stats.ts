import { Inject, Injectable } from '@nestjs/common';
import { RedisService } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { EventsError, type LoggedEvent } from '../event';

const P = 'conveyor:events:';
/** Every gateway reads and writes the same keys, so every gateway answers the same statistics. */
export const STATS_KEYS = {
  seen: `${P}seen:`,
  total: `${P}total`,
  firstAt: `${P}first-at`,
  bets: `${P}top:bets`,
  wins: `${P}top:wins`,
  deposits: `${P}top:deposits`,
  second: `${P}second:`,
  recent: `${P}recent`,
} as const;

export const RECENT_MAX = 100;
/** Events per counting script call. */
const COUNT_CHUNK = 1000;

/**
 * Counts a batch in one step: an event whose id was seen within the dedupe window is skipped, the
 * others add to the totals, the per-second counter (Redis's clock, so gateways agree), the top
 * players and the recent list. Answers the positions it counted (an id twice in one call, say a
 * redelivery beside its first delivery, counts at its first position only). Player ids are zero-padded members,
 * so among equal scores the first in order is the lowest id.
 * ARGV: ttl, then per event: id, padded player, kind (bet|win|deposit|other), deposit cents, JSON.
 */
const COUNT = `
local t = redis.call('TIME')
local now = tonumber(t[1])
local nowMs = now * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
local counted = {}
for i = 2, #ARGV, 5 do
  local id = ARGV[i]
  if redis.call('SET', KEYS[1] .. id, '1', 'EX', ttl, 'NX') then
    counted[#counted + 1] = (i - 2) / 5
    local player, kind = ARGV[i + 1], ARGV[i + 2]
    if kind == 'bet' or kind == 'win' then redis.call('ZINCRBY', KEYS[4], 1, player) end
    if kind == 'win' then redis.call('ZINCRBY', KEYS[5], 1, player) end
    if kind == 'deposit' then redis.call('ZINCRBY', KEYS[6], tonumber(ARGV[i + 3]), player) end
    redis.call('LPUSH', KEYS[8], ARGV[i + 4])
  end
end
if #counted > 0 then
  redis.call('INCRBY', KEYS[2], #counted)
  redis.call('SET', KEYS[3], nowMs, 'NX')
  redis.call('INCRBY', KEYS[7] .. now, #counted)
  redis.call('EXPIRE', KEYS[7] .. now, 120)
  redis.call('LTRIM', KEYS[8], 0, ${RECENT_MAX - 1})
end
return counted
`;

/** total, first-at (ms), now (ms), the last 60 seconds' count, then per top set: member, score. */
const READ = `
local t = redis.call('TIME')
local now = tonumber(t[1])
local nowMs = now * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = 0
for s = now - 59, now do last = last + tonumber(redis.call('GET', KEYS[7] .. s) or '0') end
local out = { redis.call('GET', KEYS[2]) or '0', redis.call('GET', KEYS[3]) or '', tostring(nowMs), tostring(last) }
for k = 4, 6 do
  local top = redis.call('ZREVRANGE', KEYS[k], 0, 0, 'WITHSCORES')
  if #top == 0 then
    out[#out + 1] = ''
    out[#out + 1] = ''
  else
    local first = redis.call('ZRANGEBYSCORE', KEYS[k], top[2], top[2], 'LIMIT', 0, 1)
    out[#out + 1] = first[1]
    out[#out + 1] = top[2]
  end
end
return out
`;

const KEYS = [
  STATS_KEYS.seen,
  STATS_KEYS.total,
  STATS_KEYS.firstAt,
  STATS_KEYS.bets,
  STATS_KEYS.wins,
  STATS_KEYS.deposits,
  STATS_KEYS.second,
  STATS_KEYS.recent,
];

export interface TopPlayer {
  id: number;
  count: number;
}

/** `GET /materialized`, exactly the contract's shape. */
export interface Materialized {
  events_total: number;
  events_per_minute: number;
  events_per_second_moving_average: number;
  top_player_bets: TopPlayer | null;
  top_player_wins: TopPlayer | null;
  top_player_deposits: TopPlayer | null;
}

const pad = (id: number) => String(id).padStart(16, '0');
const round2 = (n: number) => Math.round(n * 100) / 100;

/** The live statistics of the casino event stream, kept in Redis only (never the database). */
@Injectable()
export class EventStats {
  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Counts the events not counted before (by id, within the dedupe window); answers the positions
   * in `events` it counted. At most COUNT_CHUNK events per script call: a batch of batch messages
   * can hold 50,000, and one call with all their arguments overflowed the stack.
   */
  async count(events: LoggedEvent[], lines: string[]): Promise<Set<number>> {
    const counted = new Set<number>();
    for (let start = 0; start < events.length; start += COUNT_CHUNK) {
      const args: (string | number)[] = [this.config.events.dedupeSeconds];
      for (let i = start; i < Math.min(events.length, start + COUNT_CHUNK); i++) {
        const e = events[i];
        const kind =
          e.type === 'bet' ? (e.has_won ? 'win' : 'bet') : e.type === 'deposit' ? 'deposit' : 'other';
        args.push(e.id, pad(e.player_id), kind, e.type === 'deposit' ? (e.amount_eur ?? 0) : 0, lines[i]);
      }
      const positions = (await this.redis.eval(COUNT, KEYS.length, ...KEYS, ...args)) as number[];
      positions.forEach((p) => counted.add(start + p));
    }
    return counted;
  }

  async read(): Promise<Materialized> {
    const r = (await this.fromRedis(() => this.redis.eval(READ, KEYS.length, ...KEYS))) as string[];
    const [total, firstAt, now, last] = r.slice(0, 4).map((v) => (v === '' ? NaN : Number(v)));
    const top = (k: number): TopPlayer | null =>
      r[4 + 2 * k] ? { id: Number(r[4 + 2 * k]), count: Number(r[5 + 2 * k]) } : null;
    // Before a whole minute has passed, the events of that first minute are its rate.
    const minutes = Number.isNaN(firstAt) ? 1 : Math.max(1, (now - firstAt) / 60_000);
    return {
      events_total: total,
      events_per_minute: round2(total / minutes),
      events_per_second_moving_average: round2(last / 60),
      top_player_bets: top(0),
      top_player_wins: top(1),
      top_player_deposits: top(2),
    };
  }

  /** The last counted events, newest first, as logged. */
  async recent(limit: number): Promise<LoggedEvent[]> {
    const lines = await this.fromRedis(() => this.redis.lrange(STATS_KEYS.recent, 0, limit - 1));
    return lines.map((line) => JSON.parse(line) as LoggedEvent);
  }

  /** A read for a client: Redis failing is a 503 that says what is down, not the client's words. */
  private async fromRedis<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch {
      throw new EventsError('UNAVAILABLE', 'the statistics store (Redis) is unavailable; retry shortly');
    }
  }
}
