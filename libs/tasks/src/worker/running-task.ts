import type { Priority } from '@conveyor/contracts';
import { CONTROL_CANCEL, CONTROL_PROGRESS, CONTROL_SLOTS, clampPercent } from '@conveyor/tasks/cpu';

/**
 * One attempt this worker is running. For a CPU task, cancel and progress live in shared memory,
 * so its pool thread sees a cancel while it computes and the main thread sees its progress
 * without messages; an IO task runs on this thread and needs no shared memory.
 */
export class RunningTask {
  /** Made on first use: most attempts end without anyone asking for their signal. */
  private aborter?: AbortController;
  private stopped = false;
  readonly control: Int32Array;
  /** The progress last sent to the gateway. */
  reportedProgress = 0;

  constructor(
    readonly taskId: string,
    readonly attempt: number,
    /** Its lane: the reports of a high-priority task travel on the high status lane. */
    readonly priority: Priority,
    shared: boolean,
  ) {
    const bytes = CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT;
    this.control = new Int32Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  }

  /** The memory shared with its pool thread (a CPU task only). */
  get sharedControl(): SharedArrayBuffer {
    const buffer = this.control.buffer;
    if (!(buffer instanceof SharedArrayBuffer))
      throw new Error(`task ${this.taskId} does not run in a pool thread`);
    return buffer;
  }

  get signal(): AbortSignal {
    this.aborter ??= new AbortController();
    if (this.stopped) this.aborter.abort();
    return this.aborter.signal;
  }

  get cancelled(): boolean {
    return this.stopped;
  }

  cancel(): void {
    Atomics.store(this.control, CONTROL_CANCEL, 1);
    this.stopped = true;
    this.aborter?.abort();
  }

  get progress(): number {
    return Atomics.load(this.control, CONTROL_PROGRESS);
  }

  setProgress(percent: number): void {
    Atomics.store(this.control, CONTROL_PROGRESS, clampPercent(percent));
  }
}

/** The attempts running in this worker, by task id (a redelivered duplicate may run beside the first). */
export class RunningTasks {
  private readonly byTask = new Map<string, Set<RunningTask>>();

  /** `shared`: its handler runs in a pool thread (a CPU task). */
  start(taskId: string, attempt: number, priority: Priority, shared: boolean): RunningTask {
    const run = new RunningTask(taskId, attempt, priority, shared);
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
