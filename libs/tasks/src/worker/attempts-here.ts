/** How many finished attempts a worker remembers (about 6 MB of keys). */
const REMEMBERED = 100_000;

/** Call when the run ends: whether its reports were confirmed. */
export type EndRun = (confirmed: boolean) => void;

/**
 * The attempts this worker runs now or finished lately, by task id and attempt. After a broker
 * failover the broker redelivers messages whose acks were lost with their node, often to the
 * same worker, and a relay that lost a publish confirm sends a second copy: a copy of an attempt
 * that already ran here (its reports confirmed) is settled by that run instead of running the
 * handler a second time, and a copy of one still running waits for it. A copy of an attempt
 * whose reports were not confirmed runs again.
 */
export class AttemptsHere {
  private readonly running = new Map<string, Promise<boolean>>();
  private readonly done = new Set<string>();
  /**
   * The same keys in the order they were remembered, a ring: the oldest is forgotten first. Not
   * `done.values().next()`: a Set keeps deleted slots at its front until it rehashes, so finding
   * its first live key walks them, and at the bound that cost 20–75 µs a task.
   */
  private readonly order: string[] = [];
  private oldest = 0;

  constructor(private readonly remembered = REMEMBERED) {}

  /**
   * Registers a run of this attempt and answers how to end it, unless one is on record here: then
   * answers whether that one ran to confirmed reports (waiting while it runs). Check and register
   * are one synchronous step, so two copies delivered together cannot both run.
   */
  enter(taskId: string, attempt: number): EndRun | Promise<boolean> {
    const key = `${taskId}/${attempt}`;
    if (this.done.has(key)) return Promise.resolve(true);
    const earlier = this.running.get(key);
    if (earlier) return earlier;
    let settle!: (confirmed: boolean) => void;
    const run = new Promise<boolean>((resolve) => (settle = resolve));
    this.running.set(key, run);
    return (confirmed) => {
      if (this.running.get(key) === run) this.running.delete(key);
      if (confirmed) this.remember(key);
      settle(confirmed);
    };
  }

  private remember(key: string): void {
    if (this.done.has(key)) return;
    this.done.add(key);
    if (this.order.length < this.remembered) {
      this.order.push(key);
      return;
    }
    this.done.delete(this.order[this.oldest]);
    this.order[this.oldest] = key;
    this.oldest = (this.oldest + 1) % this.remembered;
  }
}
