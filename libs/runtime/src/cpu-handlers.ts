import { demoWorkCpu } from './demo-work.handler';
import type { CpuContext } from './handler';

/** CPU functions by task type, loaded inside each pool thread. */
export const CPU_HANDLERS: Readonly<Record<string, (payload: never, ctx: CpuContext) => unknown>> = {
  'demo.work': demoWorkCpu,
};
