import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoWorkPayloadDto, DemoWorkResult } from '@conveyor/contracts';
import { CpuContext, HandlerError, IoContext, TaskHandler } from './handler';

/** The failures a demo.work payload asks for: retryable for its first attempts, then for good. */
function failIfAsked(payload: DemoWorkPayloadDto, attempt: number): void {
  if (payload.failAttempts && attempt <= payload.failAttempts) {
    throw new HandlerError(`demo.work attempt ${attempt} failed on request`, 'DEMO_RETRYABLE_FAILURE', true);
  }
  if (payload.fail) throw new HandlerError('demo.work failed on request', 'DEMO_FAILURE', false);
}

/** CPU variant: spins for `seconds` (inside a pool thread, never on the event loop). */
export function demoWorkCpu(payload: DemoWorkPayloadDto, ctx: CpuContext): DemoWorkResult {
  const started = Date.now();
  const end = started + payload.seconds * 1000;
  let iterations = 0;
  let x = 0;
  do {
    for (let i = 0; i < 10_000; i++) x = (x * 1103515245 + 12345) % 2147483648;
    iterations++;
  } while (Date.now() < end);
  failIfAsked(payload, ctx.attempt);
  return { kind: 'cpu', ranForMs: Date.now() - started, iterations: x >= 0 ? iterations : 0 };
}

/** IO variant: waits without blocking anything. */
async function demoWorkIo(payload: DemoWorkPayloadDto, ctx: IoContext): Promise<DemoWorkResult> {
  const started = Date.now();
  if (payload.seconds > 0) await sleep(payload.seconds * 1000, undefined, { signal: ctx.signal });
  failIfAsked(payload, ctx.attempt);
  return { kind: 'io', ranForMs: Date.now() - started };
}

export const demoWorkHandler: TaskHandler = { type: 'demo.work', io: demoWorkIo, cpu: true };
