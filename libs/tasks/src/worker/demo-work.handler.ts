import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import type { DemoWorkPayloadDto, DemoWorkResult } from '@conveyor/contracts';
import { crashIfAsked, failIfAsked, flowSum } from './demo-work.cpu';
import { HandlesTask, IoContext, TaskHandler } from './handler';

/** Steps of the IO variant's wait, each one a progress report. */
const IO_STEPS = 10;

/** demo.work: waits on the event loop (IO) or burns CPU in the pool (`cpuBound`). */
@HandlesTask('demo.work')
@Injectable()
export class DemoWorkHandler implements TaskHandler {
  readonly cpu = { module: join(__dirname, 'demo-work.cpu'), name: 'demoWorkCpu' };

  /** IO variant: waits without blocking anything, in steps that report progress; a cancel aborts the wait. */
  async io(payload: DemoWorkPayloadDto, ctx: IoContext): Promise<DemoWorkResult> {
    crashIfAsked(payload, ctx);
    const started = Date.now();
    if (payload.seconds > 0) {
      for (let step = 1; step <= IO_STEPS; step++) {
        await sleep((payload.seconds * 1000) / IO_STEPS, undefined, { signal: ctx.signal });
        ctx.progress((step / IO_STEPS) * 100);
      }
    }
    failIfAsked(payload, ctx.attempt);
    return { kind: 'io', ranForMs: Date.now() - started, ...flowSum(payload, ctx) };
  }
}
