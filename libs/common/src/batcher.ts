/**
 * Collects items and hands them over in batches of up to `max`: as soon as `max` are waiting, or
 * `delayMs` after the first one. At most `inFlight` batches are processed at once, started in
 * arrival order; while all slots are busy, items keep gathering, so batches grow with the load.
 * `process` settles its own errors (a rejection is ignored).
 */
export class Batcher<T> {
  private buffer: T[] = [];
  private timer?: NodeJS.Timeout;
  /** The oldest waiting item has waited `delayMs` (or a drain asked for everything). */
  private due = false;
  private active = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly max: number,
    private readonly delayMs: number,
    private readonly process: (batch: T[]) => Promise<void>,
    private readonly inFlight = 1,
  ) {}

  push(item: T): void {
    this.buffer.push(item);
    if (this.buffer.length >= this.max) this.pump();
    else
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.due = true;
        this.pump();
      }, this.delayMs);
  }

  /** Hands over everything waiting; resolves once nothing is waiting or being processed. */
  drain(): Promise<void> {
    this.due = true;
    this.pump();
    if (this.active === 0 && this.buffer.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (
      this.active < this.inFlight &&
      (this.buffer.length >= this.max || (this.due && this.buffer.length > 0))
    ) {
      const batch = this.buffer.length > this.max ? this.buffer.splice(0, this.max) : this.buffer;
      if (batch === this.buffer) {
        this.buffer = [];
        this.due = false;
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      this.active++;
      void this.process(batch)
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          this.pump();
          if (this.active === 0 && this.buffer.length === 0)
            this.idle.splice(0).forEach((resolve) => resolve());
        });
    }
  }
}
