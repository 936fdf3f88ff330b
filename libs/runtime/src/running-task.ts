/** Slots of the memory a running CPU task shares with its pool thread. */
export const CONTROL_CANCEL = 0;
export const CONTROL_PROGRESS = 1;
export const CONTROL_SLOTS = 2;

/**
 * One attempt this worker is running. Cancel and progress live in shared memory, so a pool
 * thread sees a cancel while it computes and the main thread sees its progress without messages.
 */
export class RunningTask {
  private readonly aborter = new AbortController();
  readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  /** The progress last sent to the gateway. */
  reportedProgress = 0;

  constructor(
    readonly taskId: string,
    readonly attempt: number,
  ) {}

  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  get cancelled(): boolean {
    return this.aborter.signal.aborted;
  }

  cancel(): void {
    Atomics.store(this.control, CONTROL_CANCEL, 1);
    this.aborter.abort();
  }

  get progress(): number {
    return Atomics.load(this.control, CONTROL_PROGRESS);
  }

  setProgress(percent: number): void {
    Atomics.store(this.control, CONTROL_PROGRESS, clampPercent(percent));
  }
}

export function clampPercent(percent: number): number {
  return Number.isFinite(percent) ? Math.max(0, Math.min(100, Math.floor(percent))) : 0;
}

/** The attempts running in this worker, by task id (a redelivered duplicate may run beside the first). */
export class RunningTasks {
  private readonly byTask = new Map<string, Set<RunningTask>>();

  start(taskId: string, attempt: number): RunningTask {
    const run = new RunningTask(taskId, attempt);
    const set = this.byTask.get(taskId) ?? new Set();
    set.add(run);
    this.byTask.set(taskId, set);
    return run;
  }

  finish(run: RunningTask): void {
    const set = this.byTask.get(run.taskId);
    set?.delete(run);
    if (set?.size === 0) this.byTask.delete(run.taskId);
  }

  /** Cancels every attempt of the task running here; returns how many there were. */
  cancel(taskId: string): number {
    const set = this.byTask.get(taskId);
    set?.forEach((run) => run.cancel());
    return set?.size ?? 0;
  }

  *all(): IterableIterator<RunningTask> {
    for (const set of this.byTask.values()) yield* set;
  }
}
