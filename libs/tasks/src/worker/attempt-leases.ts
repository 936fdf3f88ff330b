import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { Batcher, RedisService } from '@conveyor/common';
import { WorkerMetrics } from './worker.metrics';

/** What a claim of an attempt found: run it, it already ran to confirmed reports, or no answer. */
export type Claim = 'run' | 'done' | 'unchecked' | 'cancelled';

interface Ask {
  key: string;
  answer: (held: string | null | Error) => void;
}

const DONE = 'done';

/** Takes each free lease (PX ARGV[2]) and answers what held the others: a holder, 'done', or false. */
const CLAIM = `
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = redis.call('SET', key, ARGV[1], 'NX', 'GET', 'PX', ARGV[2]) or ''
end
return out
`;

/** Deletes the lease only while it is still this worker's. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Marks the leases KEYS `done` for ARGV[1] ms. */
const DONE_ALL = `
for _, key in ipairs(KEYS) do
  redis.call('SET', key, '${DONE}', 'PX', ARGV[1])
end
return 0
`;

export const attemptLeaseKey = (taskId: string, attempt: number) => `conveyor:attempt:${taskId}/${attempt}`;

/**
 * A lease per attempt, shared by every worker in Redis. After a broker node or a connection fails,
 * the broker redelivers the messages whose acks it had not seen, often to another worker: that copy
 * finds the attempt leased and waits for the run that holds it. Once the run's reports are
 * confirmed the key says `done` for `WORKER_ATTEMPT_MEMORY_MS`, and the copy is acked unrun; if the
 * holder dies its lease lapses after `WORKER_ATTEMPT_LEASE_MS` (renewed while it runs) and the copy
 * runs. With Redis unreachable an attempt runs unchecked: at least once, as without the lease.
 */
@Injectable()
export class AttemptLeases implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AttemptLeases.name);
  /** Unique per process: a restarted worker does not take its predecessor's leases for its own. */
  private readonly me = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly held = new Set<string>();
  private readonly claims = new Batcher<Ask>(500, 0, (batch) => this.claimAll(batch), 4);
  /** One script per turn for the attempts confirmed in it, not a command each. */
  private readonly dones = new Batcher<string>(500, 0, (keys) => this.markDone(keys), 4);
  private renewTimer?: NodeJS.Timeout;

  constructor(
    @Inject(RedisService) private readonly redis: Redis,
    private readonly metrics: WorkerMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.renewTimer = setInterval(() => void this.renew(), Math.ceil(this.config.worker.attemptLeaseMs / 3));
    this.renewTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.renewTimer);
    await this.dones.drain();
  }

  /**
   * Takes the attempt's lease, waiting while another worker runs it (until `signal` aborts). The
   * signal is asked for only then: made for every attempt, it cost 3 % of the worker's CPU.
   */
  async claim(taskId: string, attempt: number, signalOf: () => AbortSignal): Promise<Claim> {
    const key = attemptLeaseKey(taskId, attempt);
    let waited = false;
    for (;;) {
      const held = await new Promise<string | null | Error>((answer) => this.claims.push({ key, answer }));
      if (held instanceof Error) {
        this.metrics.leasesUnchecked.inc();
        return 'unchecked';
      }
      if (held === null || held === this.me) {
        this.held.add(key);
        return 'run';
      }
      if (held === DONE) return 'done';
      if (!waited) this.metrics.copiesWaited.inc();
      waited = true;
      const signal = signalOf();
      // Another worker runs this attempt: its end (done) or its lease lapsing decides.
      await sleep(Math.min(250, this.config.worker.attemptLeaseMs / 4), undefined, { signal }).catch(
        () => undefined,
      );
      if (signal.aborted) return 'cancelled';
    }
  }

  /** The attempt ended here: `done` once its reports were confirmed, else free for a copy to run. */
  finish(taskId: string, attempt: number, confirmed: boolean): void {
    const key = attemptLeaseKey(taskId, attempt);
    if (!this.held.delete(key)) return;
    // A release goes at once, ahead of any claim a local copy of the attempt makes next (a release
    // batched behind that claim would delete the copy's lease); a confirmed attempt's copies are
    // settled locally before they claim, so its `done` can wait for the turn's batch.
    if (confirmed) this.dones.push(key);
    else
      this.redis
        .eval(RELEASE, 1, key, this.me)
        .catch((err: Error) => this.logger.warn(`lease of ${key} not released: ${err.message}`));
  }

  private async markDone(keys: string[]): Promise<void> {
    try {
      await this.redis.eval(DONE_ALL, keys.length, ...keys, this.config.worker.attemptMemoryMs);
    } catch (err) {
      this.logger.warn(`leases of ${keys.length} attempt(s) not marked done: ${(err as Error).message}`);
    }
  }

  private async claimAll(batch: Ask[]): Promise<void> {
    try {
      const held = (await this.redis.eval(
        CLAIM,
        batch.length,
        ...batch.map((a) => a.key),
        this.me,
        this.config.worker.attemptLeaseMs,
      )) as string[];
      batch.forEach((a, i) => a.answer(held[i] === '' ? null : held[i]));
    } catch (err) {
      this.logger.warn(
        `attempt leases for ${batch.length} message(s) not checked: ${(err as Error).message}`,
      );
      batch.forEach((a) => a.answer(err as Error));
    }
  }

  /** Keeps the leases of the attempts running here (a lapsed one would let a copy run beside it). */
  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const pipeline = this.redis.pipeline();
    for (const key of this.held) pipeline.pexpire(key, this.config.worker.attemptLeaseMs);
    await pipeline.exec().catch((err: Error) => this.logger.warn(`leases not renewed: ${err.message}`));
  }
}
