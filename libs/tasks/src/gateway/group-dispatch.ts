import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { formatGroupRate } from '@conveyor/contracts';
import { Tx } from '@conveyor/db';
import { ClaimedMessage, OutboxRepository } from './outbox.repository';
import { StartWindow, advance, msUntilRoom, record, startsInWindow } from './group-window';
import { BucketDraw, LockedGroup, TaskGroupsRepository, bucketSize } from './task-groups.repository';
import { TasksMetrics } from './tasks.metrics';

/** Groups one relay pass serves at most; the rest are served by the next passes in turn. */
const GROUPS_PER_PASS = 64;

export interface GroupClaim {
  rows: ClaimedMessage[];
  /** A group had more due than its share of the pass: pass again at once. */
  more: boolean;
  /** A rate-limited group has work and its next token comes in this many ms. */
  wakeInMs: number | null;
}

/**
 * The grouped half of a relay pass. Grouped tasks wait in the outbox; per pass each group with
 * waiting rows, in turn from where the last pass stopped, gets an equal share of the batch,
 * cut to what its limits allow. A group's row stays locked until the pass commits, so relays on
 * other gateways skip it meanwhile and the running count each sees includes what the other
 * published.
 */
@Injectable()
export class GroupDispatch {
  private cursor = '';

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly groups: TaskGroupsRepository,
    private readonly metrics: TasksMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async claim(tx: Tx, budget: number): Promise<GroupClaim> {
    const claim: GroupClaim = { rows: [], more: false, wakeInMs: null };
    const names = await this.outbox.groupsWaiting(tx, this.cursor, GROUPS_PER_PASS);
    if (names.length === 0) return claim;
    const { locked, configured } = await this.groups.lock(tx, names);
    const limits = new Map(locked.map((g) => [g.name, g]));
    const running = await this.groups.running(
      tx,
      locked.filter((g) => g.concurrency !== null).map((g) => g.name),
    );
    const share = Math.max(1, Math.ceil(budget / names.length));
    const buckets: BucketDraw[] = [];
    for (const name of names) {
      const group = limits.get(name);
      if (configured.has(name) && !group) continue; // another relay is serving it right now
      const allowed = group
        ? this.allowance(group, share, running.get(name) ?? 0)
        : { n: share, tokens: 0, by: null, window: null };
      const rows = await this.outbox.claimDue(tx, name, allowed.n, this.config.lanes);
      // The relay paces the group's publishes; the worker holds its starts to the rate exactly.
      if (group?.ratePerSecond) {
        const groupRate = formatGroupRate({ group: name, perSecond: group.ratePerSecond });
        for (const r of rows) r.groupRate = groupRate;
      }
      claim.rows.push(...rows);
      if (rows.length === share) claim.more = true;
      if (group) {
        // Held back: it had at least what its limit let through.
        const by = rows.length === allowed.n ? allowed.by : null;
        for (const limit of ['concurrency', 'rate'] as const) {
          this.metrics.groupThrottled.set({ group: name, limit }, by === limit ? 1 : 0);
        }
        this.metrics.groupDispatched.inc({ group: name }, rows.length);
      }
      if (group?.ratePerSecond && allowed.window) {
        const left = allowed.tokens - rows.length;
        const window = record(allowed.window, rows.length);
        buckets.push({ name, tokens: left, window });
        // Held back with work still waiting: come back when the next token has dripped in, or
        // when the oldest start leaves the window if the last second has had its starts.
        if (rows.length === allowed.n && allowed.n < share) {
          const full = startsInWindow(window) >= group.ratePerSecond;
          const ms = full
            ? msUntilRoom(window, group.nowMs)
            : left < 1
              ? Math.ceil(((1 - left) / group.ratePerSecond) * 1000)
              : null;
          if (ms !== null) claim.wakeInMs = Math.min(claim.wakeInMs ?? ms, ms);
        }
      }
      this.cursor = name;
    }
    await this.groups.saveTokens(tx, buckets);
    return claim;
  }

  /** How many of its rows a locked group may publish now, and its bucket refilled to this moment. */
  private allowance(group: LockedGroup, share: number, running: number) {
    let n = share;
    let by: 'concurrency' | 'rate' | null = null;
    if (group.concurrency !== null && group.concurrency - running < n) {
      n = Math.max(0, group.concurrency - running);
      by = 'concurrency';
    }
    let tokens = 0;
    let window: StartWindow | null = null;
    if (group.ratePerSecond !== null) {
      tokens = Math.min(bucketSize(group.ratePerSecond), group.tokens + group.elapsedS * group.ratePerSecond);
      window = advance(group.window, group.nowMs);
      const rate = Math.max(0, Math.min(Math.floor(tokens), group.ratePerSecond - startsInWindow(window)));
      if (rate < n) {
        n = rate;
        by = 'rate';
      }
    }
    return { n, tokens, by, window };
  }
}
