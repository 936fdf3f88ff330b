/** How many finished attempts a worker remembers (about 6 MB of keys). */
const REMEMBERED = 100_000;

/**
 * The attempts this worker runs now or finished lately, by task id and attempt. After a broker
 * failover the broker redelivers messages whose acks were lost with their node, often to the
 * same worker: a copy of an attempt that already ran here (its reports confirmed) is settled by
 * that run instead of running the handler a second time, and a copy of one still running waits
 * for it. A copy of an attempt whose reports were not confirmed runs again.
 */
export class AttemptsHere {
  private readonly running = new Map<string, Promise<boolean>>();
  /** Insertion-ordered: the oldest is forgotten first. */
  private readonly done = new Set<string>();

  constructor(private readonly remembered = REMEMBERED) {}

  /** Whether this attempt already ran here to confirmed reports (waiting for it when it still runs). */
  async ranHere(taskId: string, attempt: number): Promise<boolean> {
    const key = `${taskId}/${attempt}`;
    if (this.done.has(key)) return true;
    const run = this.running.get(key);
    return run ? run : false;
  }

  /** Registers a run of this attempt; call the answer with whether its reports were confirmed. */
  start(taskId: string, attempt: number): (confirmed: boolean) => void {
    const key = `${taskId}/${attempt}`;
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
    this.done.add(key);
    if (this.done.size > this.remembered) this.done.delete(this.done.values().next().value as string);
  }
}
