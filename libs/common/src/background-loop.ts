import { setTimeout as sleep } from 'node:timers/promises';

export interface BackgroundLoopOptions {
  /** Pause after a pass that found nothing more to do. */
  idleMs: number;
  /** A failing pass is retried after a pause that doubles from `idleMs` up to this. */
  maxBackoffMs: number;
  onError: (err: Error, retryInMs: number) => void;
  /**
   * While there is more, the share of the time (0 < share ≤ 1, default 1) the loop may spend in
   * passes: after a pass of t ms it waits t × (1 − share) / share. A pass slowed by a busy machine
   * thus yields for longer, and background work gives way to the foreground.
   */
  busyShare?: number;
}

/**
 * Runs `pass` over and over in the background: again at once while it says there is more, after
 * `idleMs` when there is not (or sooner when woken), with a growing pause after a failure.
 * Shared by the outbox relay and the ID-batch materializer.
 */
export class BackgroundLoop {
  private running = false;
  private loop?: Promise<void>;
  private idle = new AbortController();
  private readonly stopping = new AbortController();

  /** `pass` answers true when more is due right now. */
  constructor(
    private readonly pass: () => Promise<boolean>,
    private readonly options: BackgroundLoopOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the pass in progress, which completes first. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    this.idle.abort();
    await this.loop;
  }

  /** Something new is due: end the idle pause now. */
  wake(): void {
    // Checked first: abort() builds its DOMException reason even when already aborted, and a busy
    // gateway wakes the relay once per request.
    if (!this.idle.signal.aborted) this.idle.abort();
  }

  private async run(): Promise<void> {
    let pause = this.options.idleMs;
    const share = this.options.busyShare ?? 1;
    while (this.running) {
      try {
        const started = performance.now();
        const more = await this.pass();
        pause = this.options.idleMs;
        if (more && share < 1) {
          const yieldMs = ((performance.now() - started) * (1 - share)) / share;
          await sleep(yieldMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        }
        if (more) continue;
      } catch (err) {
        pause = Math.min(pause * 2, this.options.maxBackoffMs);
        this.options.onError(err as Error, pause);
      }
      if (!this.running) break;
      if (this.idle.signal.aborted) {
        this.idle = new AbortController(); // woken while busy: look again at once
        if (!this.stopping.signal.aborted) continue;
      }
      await sleep(pause, undefined, { signal: this.idle.signal }).catch(() => undefined);
    }
  }
}
