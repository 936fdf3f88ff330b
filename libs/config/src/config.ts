import { availableParallelism } from 'node:os';
import { ECB_DAILY_URL, Env, LOCAL_DATABASE_URL, LOCAL_SIGNING_KEY, SimMode, envSchema } from './env';

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
  /** `wakeOnCommit`: a task due now is published right after its commit, not at the next poll. */
  outbox: { pollMs: number; batchSize: number; wakeOnCommit: boolean };
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
  /** The casino event stream: its rate table (worker), consumers, dedupe window and log (gateway). */
  events: {
    ratesProviderUrl: string;
    ratesMaxAgeMs: number;
    ratesWaitMs: number;
    /** How long a worker reuses the table it read from Redis (0: read it for every message). */
    ratesMemoryMs: number;
    prefetch: number;
    enrichedPrefetch: number;
    enrichedBatchMs: number;
    dedupeSeconds: number;
    log: boolean;
  };
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
    outbox: {
      pollMs: e.OUTBOX_POLL_MS,
      batchSize: e.OUTBOX_BATCH_SIZE,
      wakeOnCommit: e.OUTBOX_WAKE_ON_COMMIT,
    },
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
    events: {
      ratesProviderUrl: e.EVENTS_RATES_PROVIDER_URL ?? `http://127.0.0.1:${e.PROVIDER_SIM_PORT}/events-rates`,
      ratesMaxAgeMs: e.EVENTS_RATES_MAX_AGE_SECONDS * 1000,
      ratesWaitMs: e.EVENTS_RATES_WAIT_MS,
      ratesMemoryMs: e.EVENTS_RATES_MEMORY_MS,
      prefetch: e.EVENTS_PREFETCH,
      enrichedPrefetch: e.EVENTS_ENRICHED_PREFETCH,
      enrichedBatchMs: e.EVENTS_ENRICHED_BATCH_MS,
      dedupeSeconds: e.EVENTS_DEDUPE_SECONDS,
      log: e.EVENTS_LOG,
    },
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
