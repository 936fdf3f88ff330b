import type { IdBatchSource } from './id-batches.dto';

/**
 * The distribution of an ID batch over the minute slots of its window, in closed form: the slot
 * of the k-th ID, and the k-th ID of a slot, are computed in O(1), so no batch, however large, is
 * ever laid out in memory.
 *
 * Slots 0..14 hold `rpm` IDs each, filled in order (slot 0 first). Once all 15 are full, the
 * remaining IDs go one per slot, round-robin from slot 0.
 */
export const WINDOW_SLOTS = 15;

/** The ID at a batch index, from its stored source (a range needs no list). */
export function idAt(source: IdBatchSource, index: number): number {
  return source.kind === 'range' ? source.from + index : source.ids[index];
}

export interface Plan {
  /** How many IDs the batch has. */
  total: number;
  rpm: number;
}

export interface Placement {
  /** 0-based position of the ID in the batch. */
  index: number;
  slot: number;
  /** 0-based position inside its slot. */
  position: number;
}

const capacity = (p: Plan) => WINDOW_SLOTS * p.rpm;

/** The slot of the index-th ID, and its position inside the slot. */
export function placementOf(index: number, plan: Plan): Placement {
  const cap = capacity(plan);
  if (index < cap) return { index, slot: Math.floor(index / plan.rpm), position: index % plan.rpm };
  const k = index - cap;
  return { index, slot: k % WINDOW_SLOTS, position: plan.rpm + Math.floor(k / WINDOW_SLOTS) };
}

/** How many IDs slot `slot` holds. */
export function slotSize(slot: number, plan: Plan): number {
  const base = Math.max(0, Math.min(plan.rpm, plan.total - slot * plan.rpm));
  const overflow = plan.total - capacity(plan);
  return base + (overflow > slot ? Math.floor((overflow - slot - 1) / WINDOW_SLOTS) + 1 : 0);
}

/** The batch index of the position-th ID of a slot. */
export function indexAt(slot: number, position: number, plan: Plan): number {
  return position < plan.rpm
    ? slot * plan.rpm + position
    : capacity(plan) + slot + WINDOW_SLOTS * (position - plan.rpm);
}

/** When the ID at this placement is due: its slot's minute, spread evenly inside it. */
export function dueAt(placement: Placement, plan: Plan, windowStart: Date, slotMs: number): Date {
  const size = slotSize(placement.slot, plan);
  const offset = Math.floor((placement.position * slotMs) / size);
  return new Date(windowStart.getTime() + placement.slot * slotMs + offset);
}

/**
 * The batch in slot order (slot 0's IDs, then slot 1's, ...), starting after `skip` of them: the
 * order tasks are created in, so the earliest ones exist first. A generator, so it holds one at a time.
 */
export function* inSlotOrder(plan: Plan, skip = 0): Generator<Placement> {
  let seen = 0;
  for (let slot = 0; slot < WINDOW_SLOTS; slot++) {
    const size = slotSize(slot, plan);
    if (seen + size <= skip) {
      seen += size;
      continue;
    }
    for (let position = Math.max(0, skip - seen); position < size; position++) {
      yield { index: indexAt(slot, position, plan), slot, position };
    }
    seen += size;
  }
}

/** The start of the next window: windows start every 15 slots (on the quarter hour with 1-minute slots). */
export function nextWindowStart(now: Date, slotMs: number): Date {
  const windowMs = WINDOW_SLOTS * slotMs;
  return new Date(Math.ceil(now.getTime() / windowMs) * windowMs);
}
