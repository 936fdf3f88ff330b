import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { DemoWorkPayloadDto } from './demo-work.dto';
import { UserProcessPayloadDto } from './user-process.dto';
import { CurrencyConvertPayloadDto } from './currency-convert.dto';
import { PlansSyncPayloadDto } from './plans';
import { TaskKind } from './task-status';
import { validInstance } from './valid-instance';

/**
 * A task type is a contract shared by the gateway (which validates payloads before writing
 * anything) and the worker (which must register exactly one handler for it at boot).
 */
export interface TaskTypeContract<P extends object = object> {
  name: string;
  description: string;
  payload: new () => P;
  /** The kinds this type can run as; the worker must support each of them. */
  kinds: readonly TaskKind[];
  kindOf(payload: P): TaskKind;
  example: P;
}

export const demoWork: TaskTypeContract<DemoWorkPayloadDto> = {
  name: 'demo.work',
  description: 'Waits (IO) or burns CPU in the worker pool for `seconds`; `fail` makes it fail at the end.',
  payload: DemoWorkPayloadDto,
  kinds: ['cpu', 'io'],
  kindOf: (p) => (p.cpuBound ? 'cpu' : 'io'),
  example: { seconds: 1, cpuBound: false },
};

export const userProcess: TaskTypeContract<UserProcessPayloadDto> = {
  name: 'user.process',
  description: 'Processes one user ID (ID batches schedule these); on success the gateway upserts the user.',
  payload: UserProcessPayloadDto,
  kinds: ['io'],
  kindOf: () => 'io',
  example: { userId: 1001 },
};

export const currencyConvert: TaskTypeContract<CurrencyConvertPayloadDto> = {
  name: 'currency.convert',
  description: 'Converts an amount through the shared ECB rate table (GET /conversions submits these).',
  payload: CurrencyConvertPayloadDto,
  kinds: ['io'],
  kindOf: () => 'io',
  example: { from: 'USD', to: 'BRL', amount: '10.50' },
};

export const plansSync: TaskTypeContract<PlansSyncPayloadDto> = {
  name: 'plans.sync',
  description:
    'Fetches the plans feed, parses it in the pool and sends the online plans to the gateway in chunks.',
  payload: PlansSyncPayloadDto,
  kinds: ['io'],
  kindOf: () => 'io',
  example: { trigger: 'manual' },
};

export const TASK_TYPES: readonly TaskTypeContract[] = [demoWork, userProcess, currencyConvert, plansSync];

/** Type names are one routing-key segment group: lower-case words separated by dots. */
export const TASK_TYPE_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

export function findTaskType(name: string): TaskTypeContract | undefined {
  return TASK_TYPES.find((t) => t.name === name);
}

export type PayloadCheck<P> = { ok: true; payload: P } | { ok: false; problems: string[] };

/** Validates a raw payload against its contract: unknown fields and wrong types are problems. */
export function checkPayload<P extends object>(contract: TaskTypeContract<P>, raw: unknown): PayloadCheck<P> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: ['payload must be an object'] };
  }
  const valid = validInstance(contract.payload, raw);
  if (valid) return { ok: true, payload: valid };
  const payload = plainToInstance(contract.payload, raw);
  const errors = validateSync(payload, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) return { ok: false, problems: flatten(errors, 'payload') };
  return { ok: true, payload };
}

function flatten(errors: ValidationError[], prefix: string): string[] {
  return errors.flatMap((e) => {
    const path = `${prefix}.${e.property}`;
    const own = Object.values(e.constraints ?? {}).map((m) => m.replace(e.property, path));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/** Redis key a gateway sets when it cancels a task, so no worker starts it afterwards. */
export function cancelMarkKey(taskId: string): string {
  return `conveyor:cancelled:${taskId}`;
}
