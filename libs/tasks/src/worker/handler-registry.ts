import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { TASK_TYPES, TaskTypeContract } from '@conveyor/contracts';
import { loadCpuFunction } from '../cpu/cpu-worker';
import { HandlesTask, TaskHandler, supports } from './handler';

export interface RegisteredHandler {
  type: string;
  handler: TaskHandler;
}

/**
 * Checks that each contract has exactly one handler, that the handler supports every kind the
 * contract can run as (and its CPU function exists), and that no handler serves an unknown type.
 */
export async function checkRegistry(
  contracts: readonly TaskTypeContract[],
  handlers: readonly RegisteredHandler[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const contract of contracts) {
    const mine = handlers.filter((h) => h.type === contract.name);
    if (mine.length !== 1) {
      problems.push(`task type ${contract.name} has ${mine.length} handlers (exactly one is required)`);
      continue;
    }
    const { handler } = mine[0];
    for (const kind of contract.kinds) {
      if (!supports(handler, kind)) problems.push(`handler of ${contract.name} cannot run it as ${kind}`);
    }
    if (handler.cpu) {
      const fn = await loadCpuFunction(handler.cpu).catch(() => undefined);
      if (typeof fn !== 'function') {
        problems.push(
          `handler of ${contract.name} names CPU function ${handler.cpu.name}, which ${handler.cpu.module} does not export`,
        );
      }
    }
  }
  for (const { type } of handlers) {
    if (!contracts.some((c) => c.name === type)) problems.push(`handler for unknown task type ${type}`);
  }
  return problems;
}

/** Every `@HandlesTask` provider of the worker, by task type; the worker refuses to boot if they don't fit the contracts. */
@Injectable()
export class HandlerRegistry implements OnModuleInit {
  private byType: ReadonlyMap<string, TaskHandler> = new Map();

  constructor(private readonly discovery: DiscoveryService) {}

  async onModuleInit(): Promise<void> {
    const found = this.discovery.getProviders({ metadataKey: HandlesTask.KEY }).flatMap((wrapper) => {
      const type = this.discovery.getMetadataByDecorator(HandlesTask, wrapper);
      return type ? [{ type, handler: wrapper.instance as TaskHandler }] : [];
    });
    const problems = await checkRegistry(TASK_TYPES, found);
    if (problems.length > 0)
      throw new Error(`handler registry is inconsistent:\n  - ${problems.join('\n  - ')}`);
    this.byType = new Map(found.map((h) => [h.type, h.handler]));
  }

  get(type: string): TaskHandler | undefined {
    return this.byType.get(type);
  }
}
