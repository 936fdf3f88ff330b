import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { RedisService } from '@conveyor/common';
import type { GroupRate } from '@conveyor/contracts';
import { WorkerMetrics } from './worker.metrics';

/**
 * One start of a rate-limited group, shared by every worker: the group's starts of the last second
 * are a sorted set of their times. A start is admitted while fewer than the rate are in the window;
 * its time is never before the latest admitted one, so the set grows in time order and every
 * second of recorded starts holds at most the rate. Otherwise answers how long until the oldest
 * leaves the window.
 */
const ADMIT = `
local limit = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] and tonumber(last[2]) > now then now = tonumber(last[2]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 1000)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], 2000)
  return {1, now}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + 1000 - now}
`;

export const groupRateKey = (group: string) => `conveyor:group-rate:${group}`;

/**
 * Holds a rate-limited group's starts to its rate, across workers, at the moment they start: the
 * gateway's relay paces the publishes, but delivery and a busy event loop bunch them on the way,
 * so the start itself is where the limit is kept. With Redis unreachable a start goes ahead (the
 * relay's pacing still holds the group near its rate) and is counted as unchecked.
 */
@Injectable()
export class GroupRateGate {
  private readonly logger = new Logger(GroupRateGate.name);
  private readonly me = `${hostname()}:${process.pid}`;
  private seq = 0;

  constructor(
    @Inject(RedisService) private readonly redis: Redis,
    private readonly metrics: WorkerMetrics,
  ) {}

  /** Waits for a start of the group; answers its time (ms), or null if cancelled meanwhile. */
  async admit(rate: GroupRate, signal: AbortSignal): Promise<number | null> {
    const member = `${this.me}:${++this.seq}`;
    for (;;) {
      if (signal.aborted) return null;
      let answer: [number, number];
      try {
        answer = (await this.redis.eval(
          ADMIT,
          1,
          groupRateKey(rate.group),
          rate.perSecond,
          Date.now(),
          member,
        )) as [number, number];
      } catch (err) {
        this.metrics.rateUnchecked.inc();
        this.logger.warn(`rate of group ${rate.group} not checked: ${(err as Error).message}`);
        return Date.now();
      }
      const [admitted, at] = answer;
      if (admitted === 1) return at;
      this.metrics.rateWaits.inc();
      await sleep(at, undefined, { signal }).catch(() => undefined);
    }
  }
}
