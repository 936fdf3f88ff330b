import { demoWorkCpu } from './demo-work.handler';

/** CPU functions by task type, loaded inside each pool thread. */
export const CPU_HANDLERS: Readonly<Record<string, (payload: never) => unknown>> = {
  'demo.work': demoWorkCpu,
};
