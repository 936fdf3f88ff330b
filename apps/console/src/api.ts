/** The gateway's API as the console uses it: same origin, the session cookie, JSON. */

export type Scope =
  'tasks:read' | 'tasks:write' | 'users:read' | 'users:write' | 'events:read' | 'events:write' | 'admin';

export interface Session {
  name: string;
  scopes: Scope[];
}

export interface TaskError {
  message: string;
  code: string;
  retryable: boolean;
}

export interface Task {
  id: string;
  type: string;
  status: string;
  priority: string;
  group: string | null;
  payload: unknown;
  result: unknown;
  error: TaskError | null;
  progress: number;
  attempts: number;
  maxAttempts: number;
  createdAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Attempt {
  attempt: number;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: TaskError | null;
}

export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  hasMore: boolean;
}

export interface QueueFigures {
  name: string;
  messages: number;
  ready: number;
  unacked: number;
  consumers: number;
  publishRate: number;
  deliverRate: number;
  ackRate: number;
  depthSamples: [number, number][];
  ackSamples: [number, number][];
}

export interface Overview {
  generatedAt: string;
  windowSeconds: number;
  stepSeconds: number;
  tasks: { active: Record<string, number>; finished: Record<string, number>; sampled: number };
  latency: { at: number; finished: number; p50Ms: number; p99Ms: number }[];
  outbox: { due: number; later: number };
  queues: QueueFigures[] | null;
}

export interface DeadLetter {
  id: string;
  queue: string | null;
  reason: string;
  message: string;
  exchange: string | null;
  routingKey: string | null;
  messageId: string | null;
  taskId: string | null;
  type: string | null;
  contentType: string | null;
  headers: Record<string, unknown>;
  body?: string | null;
  bodySize: number;
  truncated: boolean;
  diedAt: string | null;
  receivedAt: string;
}

export interface ReplayResult {
  dryRun: boolean;
  matched: number;
  replayed: number;
  skipped: number;
  notReplayed: { id: string; reason: string }[];
}

export interface Worker {
  id: string;
  host: string;
  pid: number;
  version: string;
  status: 'up' | 'gone' | 'stopped';
  startedAt: string;
  lastSeenAt: string;
  brokerNode: string | null;
  cpuThreads: number;
  poolUtilization: number;
  lanes: { queue: string; slots: number; inFlight: number }[];
}

export interface Stats {
  [key: string]: unknown;
}

/**
 * Every call the console makes, by method and path template: `test/console.int-spec.ts` checks
 * each against the gateway's OpenAPI document, so a renamed route fails a test, not the page.
 */
export const ENDPOINTS = {
  session: ['GET', '/session'],
  login: ['POST', '/session'],
  logout: ['DELETE', '/session'],
  overview: ['GET', '/overview'],
  tasks: ['GET', '/tasks'],
  task: ['GET', '/tasks/{id}'],
  attempts: ['GET', '/tasks/{id}/attempts'],
  taskEvents: ['GET', '/tasks/{id}/events'],
  cancel: ['PATCH', '/tasks/{id}'],
  retry: ['POST', '/tasks/{id}/retry'],
  deadLetters: ['GET', '/dead-letters'],
  deadLetter: ['GET', '/dead-letters/{id}'],
  replay: ['POST', '/dead-letters/replay'],
  discard: ['DELETE', '/dead-letters'],
  workers: ['GET', '/workers'],
  materialized: ['GET', '/materialized'],
  idBatches: ['GET', '/id-batches'],
  idBatchSlots: ['GET', '/id-batches/{id}/slots'],
  planSyncs: ['GET', '/plans/syncs'],
  schedules: ['GET', '/schedules'],
} as const satisfies Record<string, readonly [string, string]>;

export type Endpoint = keyof typeof ENDPOINTS;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Fills `{id}` and the query, and answers the parsed JSON (null for 204); a refusal throws its message. */
export async function call<T>(
  endpoint: Endpoint,
  options: {
    params?: Record<string, string>;
    query?: Record<string, string | undefined>;
    body?: unknown;
  } = {},
): Promise<T> {
  const [method, template] = ENDPOINTS[endpoint];
  let path = template.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(options.params?.[k] ?? ''));
  const query = new URLSearchParams(
    Object.entries(options.query ?? {}).filter(
      (e): e is [string, string] => e[1] !== undefined && e[1] !== '',
    ),
  ).toString();
  if (query) path += `?${query}`;
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (res.status === 204) return null as T;
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const message = (json as { message?: string | string[] } | null)?.message;
    throw new ApiError(res.status, Array.isArray(message) ? message.join('; ') : (message ?? res.statusText));
  }
  return json as T;
}

export function can(session: Session | null, scope: Scope): boolean {
  return !!session && (session.scopes.includes('admin') || session.scopes.includes(scope));
}
