import { availableParallelism } from 'node:os';
import type { AppConfig } from './app-config';
import { ECB_DAILY_URL, LOCAL_DATABASE_URL, LOCAL_SIGNING_KEY, envSchema } from './env';

export type { AppConfig } from './app-config';

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
      heartbeatMs: e.WORKER_HEARTBEAT_MS,
      attemptLeaseMs: e.WORKER_ATTEMPT_LEASE_MS,
      attemptMemoryMs: e.WORKER_ATTEMPT_MEMORY_MS,
      faultDrills: e.WORKER_FAULT_DRILLS,
    },
    db: {
      url: e.DATABASE_URL ?? LOCAL_DATABASE_URL,
      readUrl: e.DATABASE_READ_URL ?? e.DATABASE_URL ?? LOCAL_DATABASE_URL,
      poolSize: e.DATABASE_POOL_SIZE,
    },
    redis: { url: e.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    amqp: {
      urls: e.AMQP_URLS
        ? e.AMQP_URLS.split(',').map((u) => u.trim())
        : [e.AMQP_URL ?? 'amqp://conveyor:conveyor@127.0.0.1:5672/%2F'],
      heartbeatSeconds: e.AMQP_HEARTBEAT_SECONDS,
      publishTimeoutMs: e.AMQP_PUBLISH_TIMEOUT_MS,
      managementUrls: e.RABBITMQ_MANAGEMENT_URL?.split(',').map((u) => u.trim()) ?? [],
    },
    taskSigningKey: e.TASK_SIGNING_KEY ?? LOCAL_SIGNING_KEY,
    outbox: {
      pollMs: e.OUTBOX_POLL_MS,
      batchSize: e.OUTBOX_BATCH_SIZE,
      wakeOnCommit: e.OUTBOX_WAKE_ON_COMMIT,
      fallbackMs: e.OUTBOX_FALLBACK_MS,
    },
    submit: { groupMax: e.SUBMIT_GROUP_MAX },
    lanes: laneWeights(e.LANE_WEIGHTS),
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
    retention: {
      finishedHours: e.TASK_RETENTION_HOURS,
      deadHours: e.DEAD_TASK_RETENTION_HOURS,
      intervalMs: e.RETENTION_INTERVAL_SECONDS * 1000,
      batchSize: e.RETENTION_BATCH_SIZE,
      busyShare: e.RETENTION_BUSY_PERCENT / 100,
    },
    schedules: { pollMs: e.SCHEDULE_POLL_MS, catchUpMax: e.SCHEDULE_CATCH_UP_MAX },
    auth: {
      enabled: e.AUTH === 'on',
      adminKey: e.ADMIN_API_KEY,
      docsPublic: e.DOCS_PUBLIC ?? e.NODE_ENV !== 'production',
      metricsPublic: e.METRICS_PUBLIC ?? e.NODE_ENV !== 'production',
      cacheMs: e.AUTH_CACHE_MS,
      failuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
      readsPerSecond: e.RATE_LIMIT_READS_PER_SECOND,
      writesPerSecond: e.RATE_LIMIT_WRITES_PER_SECOND,
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

/** `4:1` → the high and normal lanes' weights. */
function laneWeights(text: string): AppConfig['lanes'] {
  const [high, normal] = text.split(':').map(Number);
  return { highWeight: high, normalWeight: normal };
}
