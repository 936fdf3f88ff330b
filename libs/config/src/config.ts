import { availableParallelism } from 'node:os';
import { z } from 'zod';

const LOCAL_DATABASE_URL = 'postgres://conveyor:conveyor@127.0.0.1:5432/conveyor';

/** Credentials that only exist in the local development stack; refused in production. */
const LOCAL_SECRET = 'conveyor:conveyor@';
/** The task-message signing key of local development and tests; refused in production. */
const LOCAL_SIGNING_KEY = 'conveyor-local-development-task-signing-key';

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

/** What the provider simulator answers: the fixture, or one of the broken answers tests need. */
export const SIM_MODES = ['ok', 'html', 'truncated', 'empty', 'garbage'] as const;
export type SimMode = (typeof SIM_MODES)[number];

/** The real provider, for production; development and tests use the simulator. */
export const ECB_DAILY_URL = 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml';

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOG_HTTP: bool(false),
    GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
    GATEWAY_PORT: int(1, 65535, 3000),
    WORKER_HOST: z.string().min(1).default('127.0.0.1'),
    WORKER_PORT: int(1, 65535, 3001),
    HTTP_BODY_LIMIT_BYTES: int(1024, 64 * 1024 * 1024, 1024 * 1024),
    HTTP_JSON_MAX_DEPTH: int(2, 1000, 64),
    HTTP_REQUEST_TIMEOUT_MS: int(100, 600_000, 30_000),
    HTTP_HEADERS_TIMEOUT_MS: int(100, 600_000, 10_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: int(100, 600_000, 72_000),
    HTTP_MAX_CONNECTIONS: int(1, 1_000_000, 4096),
    DATABASE_URL: z.string().url().optional(),
    DATABASE_READ_URL: z.string().url().optional(),
    DATABASE_POOL_SIZE: int(1, 200, 10),
    REDIS_URL: z.string().url().optional(),
    AMQP_URL: z.string().url().optional(),
    TASK_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    AMQP_HEARTBEAT_SECONDS: int(1, 600, 5),
    AMQP_PUBLISH_TIMEOUT_MS: int(100, 600_000, 10_000),
    OUTBOX_POLL_MS: int(10, 60_000, 100),
    OUTBOX_BATCH_SIZE: int(1, 10_000, 500),
    STATUS_PREFETCH: int(1, 10_000, 64),
    STATUS_BATCH_MS: int(0, 1000, 5),
    WORKER_CPU_THREADS: int(0, 256, 0),
    WORKER_IO_CONCURRENCY: int(1, 10_000, 200),
    WORKER_HIGH_IO_CONCURRENCY: int(1, 10_000, 20),
    WORKER_SHUTDOWN_GRACE_MS: int(0, 600_000, 20_000),
    WORKER_CANCEL_GRACE_MS: int(0, 60_000, 500),
    WORKER_PROGRESS_INTERVAL_MS: int(50, 60_000, 1000),
    WORKER_FAULT_DRILLS: bool(false),
    EVENTS_POLL_MS: int(20, 10_000, 250),
    ID_BATCH_SLOT_SECONDS: int(1, 60, 60),
    CANCEL_MARK_TTL_SECONDS: int(60, 30 * 86400, 7 * 86400),
    RETRY_BASE_MS: int(10, 3_600_000, 1000),
    RETRY_MAX_MS: int(10, 86_400_000, 300_000),
    RATES_PROVIDER_URL: z.string().url().optional(),
    RATES_PROVIDER_TIMEOUT_MS: int(100, 120_000, 3000),
    RATES_CACHE_TTL_SECONDS: int(1, 7 * 86400, 3600),
    RATES_LOCK_TTL_MS: int(200, 600_000, 5000),
    RATES_WAIT_MS: int(100, 600_000, 5000),
    RATES_POLL_MS: int(10, 10_000, 100),
    RATES_FAILURE_NOTE_MS: int(0, 600_000, 1000),
    CONVERSION_CACHE_TTL_SECONDS: int(1, 86400, 1800),
    CONVERSION_WAIT_MS: int(0, 120_000, 10_000),
    PROVIDER_PLANS_URL: z.string().url().optional(),
    PROVIDER_PLANS_TIMEOUT_MS: int(100, 600_000, 10_000),
    SYNC_INTERVAL_SECONDS: int(0, 7 * 86400, 300),
    PLANS_CHUNK_SIZE: int(1, 5000, 500),
    SEARCH_CACHE_TTL_SECONDS: int(0, 86400, 300),
    SEARCH_MEMORY_CACHE_MS: int(0, 60_000, 1000),
    PROVIDER_SIM_HOST: z.string().min(1).default('127.0.0.1'),
    PROVIDER_SIM_PORT: int(1, 65535, 3100),
    PROVIDER_SIM_LATENCY_MS: int(0, 600_000, 0),
    PROVIDER_SIM_ERROR_RATE: z.coerce.number().min(0).max(1).default(0),
    PROVIDER_SIM_MODE: z.enum(SIM_MODES).default('ok'),
  })
  .superRefine((env, ctx) => {
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'AMQP_URL', 'PROVIDER_PLANS_URL'] as const) {
      const value = env[key];
      if (env.NODE_ENV === 'production' && !value) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'is required in production' });
      }
      if (env.NODE_ENV === 'production' && value?.includes(LOCAL_SECRET)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'uses the local development credentials' });
      }
    }
    if (env.RATES_LOCK_TTL_MS <= env.RATES_PROVIDER_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['RATES_LOCK_TTL_MS'],
        message:
          'must be longer than RATES_PROVIDER_TIMEOUT_MS, or a slow fetch loses its lock to a second one',
      });
    }
    if (
      env.NODE_ENV === 'production' &&
      (!env.TASK_SIGNING_KEY || env.TASK_SIGNING_KEY === LOCAL_SIGNING_KEY)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['TASK_SIGNING_KEY'],
        message:
          'is required in production (a secret of at least 32 characters, the same for gateways and workers)',
      });
    }
    if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['HTTP_HEADERS_TIMEOUT_MS'],
        message: 'must not be longer than HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
      });
    }
    if (env.NODE_ENV === 'production' && env.WORKER_FAULT_DRILLS) {
      ctx.addIssue({
        code: 'custom',
        path: ['WORKER_FAULT_DRILLS'],
        message: 'must not be enabled in production',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export interface AppConfig {
  env: Env['NODE_ENV'];
  log: { level: Env['LOG_LEVEL']; http: boolean };
  gateway: { host: string; port: number };
  /**
   * Both apps' HTTP servers: the largest body, how deep a JSON body may nest, how long a client
   * may take to send a request (then 408) and its headers, how long an idle keep-alive connection
   * stays open, and how many connections are served at once (more are closed at once).
   */
  http: {
    bodyLimit: number;
    jsonMaxDepth: number;
    requestTimeoutMs: number;
    headersTimeoutMs: number;
    keepAliveTimeoutMs: number;
    maxConnections: number;
  };
  worker: {
    host: string;
    port: number;
    cpuThreads: number;
    ioConcurrency: number;
    highIoConcurrency: number;
    shutdownGraceMs: number;
    cancelGraceMs: number;
    progressIntervalMs: number;
    faultDrills: boolean;
  };
  /** `readUrl` serves reads that may lag a little (search); the primary when no replica is set. */
  db: { url: string; readUrl: string; poolSize: number };
  redis: { url: string };
  amqp: { url: string; heartbeatSeconds: number; publishTimeoutMs: number };
  /** The secret the relay signs task messages with and workers check them against. */
  taskSigningKey: string;
  outbox: { pollMs: number; batchSize: number };
  status: { prefetch: number; batchMs: number };
  cancelMarkTtlSeconds: number;
  eventsPollMs: number;
  /** Length of one slot of an ID batch's 15-slot window (a minute, shorter in tests). */
  idBatchSlotMs: number;
  retry: { baseMs: number; maxMs: number };
  rates: {
    providerUrl: string;
    providerTimeoutMs: number;
    ttlSeconds: number;
    lockTtlMs: number;
    waitMs: number;
    pollMs: number;
    failureNoteMs: number;
  };
  conversions: { cacheTtlSeconds: number; waitMs: number };
  plans: {
    providerUrl: string;
    providerTimeoutMs: number;
    /** 0: no schedule, syncs only by hand (POST /plans/sync). */
    syncIntervalMs: number;
    chunkSize: number;
    /** 0 turns the search cache off. */
    searchCacheTtlSeconds: number;
    /** How long a gateway serves an answer from its own memory before asking Redis again (0: never). */
    searchMemoryCacheMs: number;
  };
  simulator: { host: string; port: number; latencyMs: number; errorRate: number; mode: SimMode };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; throws ConfigError listing every bad setting by name. */
export function parseConfig(source: Record<string, string | undefined>): AppConfig {
  // An empty variable means "not set", the same as in docker-compose and most shells' env files.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    log: { level: e.LOG_LEVEL, http: e.LOG_HTTP },
    gateway: { host: e.GATEWAY_HOST, port: e.GATEWAY_PORT },
    http: {
      bodyLimit: e.HTTP_BODY_LIMIT_BYTES,
      jsonMaxDepth: e.HTTP_JSON_MAX_DEPTH,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
    },
    worker: {
      host: e.WORKER_HOST,
      port: e.WORKER_PORT,
      // One core stays free for the event loop, AMQP heartbeats and the broker itself.
      cpuThreads: e.WORKER_CPU_THREADS || Math.max(1, availableParallelism() - 1),
      ioConcurrency: e.WORKER_IO_CONCURRENCY,
      highIoConcurrency: e.WORKER_HIGH_IO_CONCURRENCY,
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
      cancelGraceMs: e.WORKER_CANCEL_GRACE_MS,
      progressIntervalMs: e.WORKER_PROGRESS_INTERVAL_MS,
      faultDrills: e.WORKER_FAULT_DRILLS,
    },
    db: {
      url: e.DATABASE_URL ?? LOCAL_DATABASE_URL,
      readUrl: e.DATABASE_READ_URL ?? e.DATABASE_URL ?? LOCAL_DATABASE_URL,
      poolSize: e.DATABASE_POOL_SIZE,
    },
    redis: { url: e.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    amqp: {
      url: e.AMQP_URL ?? 'amqp://conveyor:conveyor@127.0.0.1:5672/%2F',
      heartbeatSeconds: e.AMQP_HEARTBEAT_SECONDS,
      publishTimeoutMs: e.AMQP_PUBLISH_TIMEOUT_MS,
    },
    taskSigningKey: e.TASK_SIGNING_KEY ?? LOCAL_SIGNING_KEY,
    outbox: { pollMs: e.OUTBOX_POLL_MS, batchSize: e.OUTBOX_BATCH_SIZE },
    status: { prefetch: e.STATUS_PREFETCH, batchMs: e.STATUS_BATCH_MS },
    cancelMarkTtlSeconds: e.CANCEL_MARK_TTL_SECONDS,
    eventsPollMs: e.EVENTS_POLL_MS,
    idBatchSlotMs: e.ID_BATCH_SLOT_SECONDS * 1000,
    retry: { baseMs: e.RETRY_BASE_MS, maxMs: e.RETRY_MAX_MS },
    rates: {
      providerUrl:
        e.RATES_PROVIDER_URL ??
        (e.NODE_ENV === 'production' ? ECB_DAILY_URL : `http://127.0.0.1:${e.PROVIDER_SIM_PORT}/rates`),
      providerTimeoutMs: e.RATES_PROVIDER_TIMEOUT_MS,
      ttlSeconds: e.RATES_CACHE_TTL_SECONDS,
      lockTtlMs: e.RATES_LOCK_TTL_MS,
      waitMs: e.RATES_WAIT_MS,
      pollMs: e.RATES_POLL_MS,
      failureNoteMs: e.RATES_FAILURE_NOTE_MS,
    },
    conversions: { cacheTtlSeconds: e.CONVERSION_CACHE_TTL_SECONDS, waitMs: e.CONVERSION_WAIT_MS },
    plans: {
      providerUrl: e.PROVIDER_PLANS_URL ?? `http://127.0.0.1:${e.PROVIDER_SIM_PORT}/plans`,
      providerTimeoutMs: e.PROVIDER_PLANS_TIMEOUT_MS,
      syncIntervalMs: e.SYNC_INTERVAL_SECONDS * 1000,
      chunkSize: e.PLANS_CHUNK_SIZE,
      searchCacheTtlSeconds: e.SEARCH_CACHE_TTL_SECONDS,
      searchMemoryCacheMs: e.SEARCH_MEMORY_CACHE_MS,
    },
    simulator: {
      host: e.PROVIDER_SIM_HOST,
      port: e.PROVIDER_SIM_PORT,
      latencyMs: e.PROVIDER_SIM_LATENCY_MS,
      errorRate: e.PROVIDER_SIM_ERROR_RATE,
      mode: e.PROVIDER_SIM_MODE,
    },
  };
}

/** The one place that reads process.env: exits with a readable message when a setting is bad. */
export function loadConfig(): AppConfig {
  try {
    return parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
