import { setTimeout as sleep } from 'node:timers/promises';

export interface BackgroundLoopOptions {
  /** Pause after a pass that found nothing more to do. */
  idleMs: number;
  /** A failing pass is retried after a pause that doubles from `idleMs` up to this. */
  maxBackoffMs: number;
  onError: (err: Error, retryInMs: number) => void;
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
    while (this.running) {
      try {
        const more = await this.pass();
        pause = this.options.idleMs;
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
