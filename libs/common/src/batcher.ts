/**
 * Collects items and hands them over in batches: when `max` are waiting or `delayMs` after the
 * first one. One batch is processed at a time, in arrival order.
 */
export class Batcher<T> {
  private buffer: T[] = [];
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly max: number,
    private readonly delayMs: number,
    private readonly process: (batch: T[]) => Promise<void>,
  ) {}

  push(item: T): void {
    this.buffer.push(item);
    if (this.buffer.length >= this.max) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Resolves when everything pushed so far has been processed. */
  drain(): Promise<void> {
    this.flush();
    return this.chain;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.chain = this.chain.then(() => this.process(batch));
  }
}
