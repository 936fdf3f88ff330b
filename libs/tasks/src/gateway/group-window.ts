/**
 * A rate-limited group's starts over the last second, in 10 ms slots: at most `ratePerSecond` in
 * any second, wherever the second begins, and a relay pass that comes late may catch up on what
 * the bucket holds without a second ever going over.
 */
export const SLOT_MS = 10;
/** 101 slots span 1,000–1,010 ms: a start exactly a second old is still counted (never over). */
export const SLOTS = 1000 / SLOT_MS + 1;

export interface StartWindow {
  /** Starts per slot, the newest last; slot `epoch - SLOTS + 1 + i` is index i. */
  slots: number[];
  /** The newest slot's number (ms since the epoch / SLOT_MS). */
  epoch: number;
}

/** The window moved on to the slot of `nowMs`: slots older than a second dropped. */
export function advance(window: StartWindow, nowMs: number): StartWindow {
  const epoch = Math.floor(nowMs / SLOT_MS);
  const shift = Math.min(SLOTS, Math.max(0, epoch - window.epoch));
  const old = window.slots.length === SLOTS ? window.slots : new Array<number>(SLOTS).fill(0);
  const slots = [...old.slice(shift), ...new Array<number>(shift).fill(0)];
  return { slots, epoch: Math.max(epoch, window.epoch) };
}

export function startsInWindow(window: StartWindow): number {
  return window.slots.reduce((a, b) => a + b, 0);
}

/** The window with `n` more starts in its newest slot. */
export function record(window: StartWindow, n: number): StartWindow {
  const slots = [...window.slots];
  slots[SLOTS - 1] = (slots[SLOTS - 1] ?? 0) + n;
  return { slots, epoch: window.epoch };
}

/** Milliseconds from `nowMs` until the oldest start counted leaves the window (null: none counted). */
export function msUntilRoom(window: StartWindow, nowMs: number): number | null {
  const oldest = window.slots.findIndex((n) => n > 0);
  if (oldest < 0) return null;
  const leavesAt = (window.epoch - SLOTS + 1 + oldest + SLOTS) * SLOT_MS;
  return Math.max(1, leavesAt - nowMs);
}
