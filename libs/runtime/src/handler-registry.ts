import { TASK_TYPES, TaskTypeContract } from '@conveyor/contracts';
import { CPU_HANDLERS } from './cpu-handlers';
import { demoWorkHandler } from './demo-work.handler';
import { TaskHandler, supports } from './handler';
import { userProcessHandler } from './user-process.handler';
import { RateSource, currencyConvertHandler } from './currency-convert.handler';
import { PlansSource, plansSyncHandler } from './plans-sync.handler';

/** What handlers need from the worker's services. */
export interface HandlerDeps {
  rates: RateSource;
  plans: PlansSource;
}

/** Every handler of this worker. Add a new task type's handler here. */
export function workerHandlers(deps: HandlerDeps): readonly TaskHandler[] {
  return [
    demoWorkHandler,
    userProcessHandler,
    currencyConvertHandler(deps.rates),
    plansSyncHandler(deps.plans),
  ];
}

/**
 * Checks at boot that each contract has exactly one handler, that the handler supports every
 * kind the contract can run as, and that no handler serves an unknown type.
 */
export function checkRegistry(
  contracts: readonly TaskTypeContract[],
  handlers: readonly TaskHandler[],
  cpuFunctions: Readonly<Record<string, unknown>> = CPU_HANDLERS,
): string[] {
  const problems: string[] = [];
  for (const contract of contracts) {
    const mine = handlers.filter((h) => h.type === contract.name);
    if (mine.length !== 1) {
      problems.push(`task type ${contract.name} has ${mine.length} handlers (exactly one is required)`);
      continue;
    }
    const handler = mine[0];
    for (const kind of contract.kinds) {
      if (!supports(handler, kind)) problems.push(`handler of ${contract.name} cannot run it as ${kind}`);
    }
    if (handler.cpu && typeof cpuFunctions[contract.name] !== 'function') {
      problems.push(`handler of ${contract.name} says cpu but cpu-handlers.ts has no function for it`);
    }
  }
  for (const handler of handlers) {
    if (!contracts.some((c) => c.name === handler.type))
      problems.push(`handler for unknown task type ${handler.type}`);
  }
  return problems;
}

export class HandlerRegistry {
  private readonly byType: ReadonlyMap<string, TaskHandler>;

  constructor(handlers: readonly TaskHandler[]) {
    this.byType = new Map(handlers.map((h) => [h.type, h]));
    const problems = checkRegistry(TASK_TYPES, handlers);
    if (problems.length > 0)
      throw new Error(`handler registry is inconsistent:\n  - ${problems.join('\n  - ')}`);
  }

  get(type: string): TaskHandler | undefined {
    return this.byType.get(type);
  }
}
