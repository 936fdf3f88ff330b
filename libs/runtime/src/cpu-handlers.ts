import { demoWorkCpu } from './demo-work.handler';
import type { CpuContext } from './handler';
import { plansParse } from './plans-parse.cpu';

/**
 * Functions that run inside the pool threads: CPU task types by name, and `plans.parse`, which
 * the plans.sync handler uses to keep the feed's parsing off the event loop.
 */
export const CPU_HANDLERS: Readonly<Record<string, (payload: never, ctx: CpuContext) => unknown>> = {
  'demo.work': demoWorkCpu,
  'plans.parse': plansParse,
};
