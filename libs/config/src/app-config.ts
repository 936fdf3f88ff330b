import type { Env, SimMode } from './env';

/** What every part of both apps reads of the environment, parsed once (config.ts). */
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
    /** How often the worker announces itself on `conveyor.status` (its heartbeat for GET /workers). */
    heartbeatMs: number;
    /** An attempt's lease in Redis, renewed while it runs: how long a dead worker's lease holds a copy back. */
    attemptLeaseMs: number;
    /** How long a finished attempt stays marked done, so a redelivered copy is acked unrun. */
    attemptMemoryMs: number;
    faultDrills: boolean;
  };
  /** `readUrl` serves reads that may lag a little (search); the primary when no replica is set. */
  db: { url: string; readUrl: string; poolSize: number };
  redis: { url: string };
  /** `urls`: the nodes of the broker cluster, tried in turn (one for a single broker). */
  /** `managementUrls`: the management API the console's queue figures come from (none: not shown). */
  amqp: { urls: string[]; heartbeatSeconds: number; publishTimeoutMs: number; managementUrls: string[] };
  /** The secret the relay signs task messages with and workers check them against. */
  taskSigningKey: string;
  /**
   * `wakeOnCommit`: a task due now is published right after its commit, not at the next poll.
   * `fallbackMs`: a submitted task due now is published by the request's gateway itself, its outbox
   * row due this much later for the relay in case it is not (0: always the relay).
   */
  outbox: { pollMs: number; batchSize: number; wakeOnCommit: boolean; fallbackMs: number };
  /** `groupMax`: how many concurrent `POST /tasks` one statement may write (1: each its own, as before). */
  submit: { groupMax: number };
  /**
   * When both lanes have more work than room, the share each gets at the relay and at the worker
   * (high:normal); when one lane is idle the other takes all of it.
   */
  lanes: { highWeight: number; normalWeight: number };
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
  /**
   * How long finished tasks stay (hours; 0 = forever): succeeded, failed and cancelled ones by
   * `finishedHours`, dead ones by `deadHours` (0 = until a person deletes them); checked every
   * `intervalMs`, deleted `batchSize` at a time.
   */
  retention: {
    finishedHours: number;
    deadHours: number;
    intervalMs: number;
    batchSize: number;
    busyShare: number;
  };
  /** How often a gateway looks for due schedule ticks, and the most missed ticks one catch-up runs. */
  schedules: { pollMs: number; catchUpMax: number };
  /**
   * API keys and rate limits (gateway). `cacheMs`: how long a verified key is trusted before its row
   * is read again (the bound on revocation); `failuresPerMinute`: refused keys per client address
   * before it is refused without a lookup; reads and writes per key per second (0: unlimited).
   */
  auth: {
    enabled: boolean;
    adminKey: string | undefined;
    docsPublic: boolean;
    metricsPublic: boolean;
    cacheMs: number;
    failuresPerMinute: number;
    readsPerSecond: number;
    writesPerSecond: number;
  };
}
