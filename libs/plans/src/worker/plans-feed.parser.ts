import Decimal from 'decimal.js';
import { SaxesParser, SaxesTagPlain } from 'saxes';
import type { PlanRecord } from '@conveyor/contracts';

/** A document that is not a plans feed (HTML, truncated, garbage): nothing of it is used. */
export class FeedFormatError extends Error {
  constructor(problem: string) {
    super(`plans feed rejected: ${problem}`);
    this.name = 'FeedFormatError';
  }
}

export interface ParsedFeed {
  plans: PlanRecord[];
  skipped: Record<string, number>;
  warnings: Record<string, number>;
}

/** The current format and the older `eventList` variant of the same feed. */
const NAMES = {
  base: new Set(['base_plan', 'base_event']),
  plan: new Set(['plan', 'event']),
  roots: new Set(['planList', 'eventList']),
};
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const PRICE = /^\d{1,12}(\.\d{1,6})?$/;

/** `2021-06-30T21:00:00` yes; `2021-09-31T20:00:00` no (there is no 31 September). */
export function isLocalDateTime(text: string): boolean {
  const m = LOCAL_DATE_TIME.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo - 1 &&
    t.getUTCDate() === d &&
    t.getUTCHours() === h &&
    t.getUTCMinutes() === mi &&
    t.getUTCSeconds() === s
  );
}

interface Base {
  id?: string;
  online: boolean;
  title?: string;
}

interface Draft {
  planId?: string;
  startsAt?: string;
  endsAt?: string;
  min?: Decimal;
  max?: Decimal;
  zones: Map<string, string>;
  problem?: string;
}

/**
 * Streaming parser of the plans feed: it is fed text as it arrives and keeps one plan at a time,
 * never the document. Online plans come out normalised (min/max price over their zones); a bad
 * plan is skipped and counted by reason; a bad document throws FeedFormatError at `end()`.
 */
export class PlansFeedParser {
  private readonly sax = new SaxesParser();
  private readonly byIdentity = new Map<string, PlanRecord>();
  private readonly skipped: Record<string, number> = {};
  private readonly warnings: Record<string, number> = {};
  private root?: string;
  private base?: Base;
  private plan?: Draft;
  private failure?: string;

  constructor() {
    this.sax.on('opentag', (tag) => this.open(tag));
    this.sax.on('closetag', (tag) => this.close(tag.name));
    this.sax.on('error', (err) => (this.failure ??= err.message));
  }

  write(text: string): void {
    if (this.failure) return;
    this.sax.write(text);
  }

  end(): ParsedFeed {
    if (!this.failure) this.sax.close();
    if (this.failure) throw new FeedFormatError(this.failure);
    if (!this.root) throw new FeedFormatError('empty document');
    return { plans: [...this.byIdentity.values()], skipped: this.skipped, warnings: this.warnings };
  }

  private open(tag: SaxesTagPlain): void {
    const a = tag.attributes;
    if (!this.root) {
      this.root = tag.name;
      if (!NAMES.roots.has(tag.name))
        this.failure = `root element <${tag.name}> is not planList or eventList`;
      return;
    }
    if (NAMES.base.has(tag.name)) {
      this.base = { id: a.base_plan_id ?? a.base_event_id, online: a.sell_mode === 'online', title: a.title };
    } else if (NAMES.plan.has(tag.name)) {
      this.plan = {
        planId: a.plan_id ?? a.event_id,
        startsAt: a.plan_start_date ?? a.event_start_date,
        endsAt: a.plan_end_date ?? a.event_end_date,
        zones: new Map(),
      };
    } else if (tag.name === 'zone' && this.plan) {
      this.zone(this.plan, a.zone_id, a.price);
    }
  }

  private zone(plan: Draft, zoneId: string | undefined, price: string | undefined): void {
    if (zoneId === undefined || price === undefined) {
      plan.problem ??= 'missing_attribute';
      return;
    }
    if (!PRICE.test(price)) {
      plan.problem ??= 'invalid_price';
      return;
    }
    // A zone listed twice is a feed oddity, not a reason to lose the plan: both prices count.
    if (plan.zones.has(zoneId)) this.count(this.warnings, 'repeated_zone');
    plan.zones.set(zoneId, price);
    const p = new Decimal(price);
    if (!plan.min || p.lt(plan.min)) plan.min = p;
    if (!plan.max || p.gt(plan.max)) plan.max = p;
  }

  private close(name: string): void {
    if (NAMES.plan.has(name) && this.plan) {
      this.finish(this.plan);
      this.plan = undefined;
    } else if (NAMES.base.has(name)) {
      this.base = undefined;
    }
  }

  private finish(plan: Draft): void {
    const base = this.base;
    const reason = !base?.online
      ? 'offline'
      : (plan.problem ??
        (!base.id || !base.title || !plan.planId || !plan.startsAt || !plan.endsAt
          ? 'missing_attribute'
          : !isLocalDateTime(plan.startsAt) || !isLocalDateTime(plan.endsAt)
            ? 'invalid_date'
            : plan.startsAt > plan.endsAt
              ? 'ends_before_start'
              : !plan.min || !plan.max
                ? 'no_zones'
                : undefined));
    if (reason) {
      this.count(this.skipped, reason);
      return;
    }
    const record: PlanRecord = {
      basePlanId: base!.id!,
      planId: plan.planId!,
      title: base!.title!,
      startsAt: plan.startsAt!,
      endsAt: plan.endsAt!,
      minPrice: plan.min!.toString(),
      maxPrice: plan.max!.toString(),
    };
    const identity = `${record.basePlanId}\u0000${record.planId}`;
    if (this.byIdentity.has(identity)) this.count(this.warnings, 'duplicate_plan');
    this.byIdentity.set(identity, record);
  }

  private count(into: Record<string, number>, key: string): void {
    into[key] = (into[key] ?? 0) + 1;
  }
}
