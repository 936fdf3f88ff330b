import type { DemoWorkPayloadDto, DemoWorkResult } from '@conveyor/contracts';
import { CpuContext, HandlerError, TaskContext } from '@conveyor/tasks/cpu';

/** The crash drill: SIGKILL, so nothing gets settled and the broker redelivers the message. */
export function crashIfAsked(payload: DemoWorkPayloadDto, ctx: TaskContext): void {
  if (!payload.crash) return;
  if (!ctx.faultDrills) {
    throw new HandlerError(
      'crash drills are disabled on this worker (WORKER_FAULT_DRILLS)',
      'DRILLS_DISABLED',
      false,
    );
  }
  process.kill(process.pid, 'SIGKILL');
}

/** The failures a demo.work payload asks for: retryable for its first attempts, then for good. */
export function failIfAsked(payload: DemoWorkPayloadDto, attempt: number): void {
  if (payload.failAttempts && attempt <= payload.failAttempts) {
    throw new HandlerError(`demo.work attempt ${attempt} failed on request`, 'DEMO_RETRYABLE_FAILURE', true);
  }
  if (payload.fail) throw new HandlerError('demo.work failed on request', 'DEMO_FAILURE', false);
}

/** `sum` and `parents` of a result, when the payload has a `value` or the task has parents. */
export function flowSum(
  payload: DemoWorkPayloadDto,
  ctx: TaskContext,
): Pick<DemoWorkResult, 'sum' | 'parents'> {
  const keys = Object.keys(ctx.parents).sort();
  if (payload.value === undefined && keys.length === 0) return {};
  let sum = payload.value ?? 0;
  for (const key of keys) {
    const parent = ctx.parents[key] as { sum?: unknown } | null;
    if (typeof parent?.sum === 'number') sum += parent.sum;
  }
  return { sum, parents: keys };
}

/** CPU variant (in a pool thread): spins for `seconds`, checking for a cancel between rounds. */
export function demoWorkCpu(payload: DemoWorkPayloadDto, ctx: CpuContext): DemoWorkResult {
  crashIfAsked(payload, ctx);
  const started = Date.now();
  const total = payload.seconds * 1000;
  let iterations = 0;
  let x = 0;
  let now = started;
  do {
    for (let i = 0; i < 10_000; i++) x = (x * 1103515245 + 12345) % 2147483648;
    iterations++;
    ctx.throwIfCancelled();
    now = Date.now();
    if (total > 0) ctx.progress(((now - started) / total) * 100);
  } while (now < started + total);
  failIfAsked(payload, ctx.attempt);
  return {
    kind: 'cpu',
    ranForMs: Date.now() - started,
    iterations: x >= 0 ? iterations : 0,
    ...flowSum(payload, ctx),
  };
}
