import { Cron } from 'croner';

/** When a schedule fires: a cron expression (seconds optional) in a time zone, or every N seconds. */
export interface Timing {
  cron: string | null;
  everySeconds: number | null;
  timezone: string;
  startAt: Date | null;
  endAt: Date | null;
  /** Where `everySeconds` counts from when there is no startAt (the schedule's creation). */
  anchor: Date;
}

/** A schedule's timing, from its row: everySeconds counts from its creation when it has no startAt. */
export function timingOf(s: Omit<Timing, 'anchor'> & { createdAt: Date }): Timing {
  return {
    cron: s.cron,
    everySeconds: s.everySeconds,
    timezone: s.timezone,
    startAt: s.startAt,
    endAt: s.endAt,
    anchor: s.createdAt,
  };
}

/** What is wrong with a timing, field by field (empty when it can fire). */
export function timingProblems(t: Omit<Timing, 'anchor'>): string[] {
  const problems: string[] = [];
  if ((t.cron === null) === (t.everySeconds === null))
    problems.push('give cron or everySeconds, exactly one of them');
  if (!validZone(t.timezone))
    problems.push(`timezone: '${t.timezone}' is not an IANA time zone (like Europe/Madrid or UTC)`);
  else if (t.cron !== null) {
    try {
      new Cron(t.cron, { timezone: t.timezone, paused: true });
    } catch (err) {
      problems.push(`cron: ${(err as Error).message}`);
    }
  }
  if (t.startAt && t.endAt && t.endAt <= t.startAt) problems.push('endAt: must be after startAt');
  return problems;
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The first fire time strictly after `after`, or null once past endAt. Cron times are computed in
 * the schedule's zone by croner: on the day a zone skips an hour, a time inside it fires once, an
 * hour later (02:30 becomes 03:30 in Europe/Madrid); on the day it repeats one, once.
 */
export function nextFire(t: Timing, after: Date): Date | null {
  const from = t.startAt && after < t.startAt ? new Date(t.startAt.getTime() - 1) : after;
  let next: Date | null;
  if (t.everySeconds !== null) {
    const base = (t.startAt ?? t.anchor).getTime();
    const step = t.everySeconds * 1000;
    const k = from.getTime() < base ? 0 : Math.floor((from.getTime() - base) / step) + 1;
    next = new Date(base + k * step);
  } else {
    next = new Cron(t.cron as string, { timezone: t.timezone, paused: true }).nextRun(from);
  }
  return next && (!t.endAt || next <= t.endAt) ? next : null;
}

/** The next `n` fire times after `after`. */
export function nextFires(t: Timing, after: Date, n: number): Date[] {
  const out: Date[] = [];
  for (let at = nextFire(t, after); at && out.length < n; at = nextFire(t, at)) out.push(at);
  return out;
}

/**
 * The ticks due at `now`, from `first` on, oldest first: at most `max` (the latest ones), and how
 * many older ones were passed over for that bound.
 */
export function dueTicks(t: Timing, first: Date, now: Date, max: number): { ticks: Date[]; dropped: number } {
  const ticks: Date[] = [];
  let dropped = 0;
  if (t.everySeconds !== null) {
    // Counted, not walked: a week of downtime at one tick a second is 600,000 ticks.
    const step = t.everySeconds * 1000;
    const last = t.endAt && t.endAt < now ? t.endAt : now;
    const count = last < first ? 0 : Math.floor((last.getTime() - first.getTime()) / step) + 1;
    const kept = Math.min(count, max);
    dropped = count - kept;
    for (let i = count - kept; i < count; i++) ticks.push(new Date(first.getTime() + i * step));
    return { ticks, dropped };
  }
  for (let at: Date | null = first; at && at <= now; at = nextFire(t, at)) {
    ticks.push(at);
    if (ticks.length > max) {
      ticks.shift();
      dropped++;
    }
  }
  return { ticks, dropped };
}
