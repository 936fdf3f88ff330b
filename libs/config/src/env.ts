/** Every setting the apps read from the environment, with its bounds and default (zod). */
import { z } from 'zod';

export const LOCAL_DATABASE_URL = 'postgres://conveyor:conveyor@127.0.0.1:5432/conveyor';

/** Credentials that only exist in the local development stack; refused in production. */
const LOCAL_SECRETS = [
  'conveyor:conveyor@',
  'conveyor-gateway:conveyor-gateway@',
  'conveyor-worker:conveyor-worker@',
];
/** The admin API key of docker-compose.yml (development); refused in production. */
export const LOCAL_ADMIN_API_KEY = 'conveyor-local-development-admin-api-key';
/** The task-message signing key of local development and tests; refused in production. */
export const LOCAL_SIGNING_KEY = 'conveyor-local-development-task-signing-key';

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

const maybeBool = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1'));

/** What the provider simulator answers: the fixture, or one of the broken answers tests need. */
export const SIM_MODES = ['ok', 'html', 'truncated', 'empty', 'garbage'] as const;
export type SimMode = (typeof SIM_MODES)[number];

/** The real provider, for production; development and tests use the simulator. */
export const ECB_DAILY_URL = 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml';

export const envSchema = z
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
    /** Several nodes of one cluster, comma-separated: the apps fail over from one to the next. */
    AMQP_URLS: z
      .string()
      .optional()
      .refine(
        (v) => v === undefined || v.split(',').every((u) => URL.canParse(u.trim()) && u.trim() !== ''),
        {
          message: 'must be comma-separated URLs',
        },
      ),
    TASK_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    AMQP_HEARTBEAT_SECONDS: int(1, 600, 5),
    AMQP_PUBLISH_TIMEOUT_MS: int(100, 600_000, 10_000),
    OUTBOX_POLL_MS: int(10, 60_000, 100),
    OUTBOX_BATCH_SIZE: int(1, 10_000, 500),
    OUTBOX_WAKE_ON_COMMIT: bool(true),
    OUTBOX_FALLBACK_MS: int(0, 600_000, 5000),
    SUBMIT_GROUP_MAX: int(1, 1000, 500),
    STATUS_PREFETCH: int(1, 10_000, 64),
    STATUS_BATCH_MS: int(0, 1000, 5),
    WORKER_CPU_THREADS: int(0, 256, 0),
    WORKER_IO_CONCURRENCY: int(1, 10_000, 200),
    WORKER_HIGH_IO_CONCURRENCY: int(1, 10_000, 20),
    LANE_WEIGHTS: z
      .string()
      .regex(/^[1-9][0-9]{0,2}:[1-9][0-9]{0,2}$/, 'must be high:normal, two integers 1..999, e.g. 4:1')
      .default('4:1'),
    WORKER_SHUTDOWN_GRACE_MS: int(0, 600_000, 20_000),
    WORKER_CANCEL_GRACE_MS: int(0, 60_000, 500),
    WORKER_PROGRESS_INTERVAL_MS: int(50, 60_000, 1000),
    WORKER_HEARTBEAT_MS: int(50, 600_000, 5000),
    WORKER_ATTEMPT_LEASE_MS: int(1000, 600_000, 5000),
    WORKER_ATTEMPT_MEMORY_MS: int(1000, 86_400_000, 120_000),
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
    EVENTS_RATES_PROVIDER_URL: z.string().url().optional(),
    EVENTS_RATES_MAX_AGE_SECONDS: int(2, 86400, 60),
    EVENTS_RATES_WAIT_MS: int(100, 600_000, 5000),
    EVENTS_RATES_MEMORY_MS: int(0, 10_000, 1000),
    EVENTS_PREFETCH: int(1, 10_000, 300),
    EVENTS_ENRICHED_PREFETCH: int(1, 10_000, 1000),
    EVENTS_ENRICHED_BATCH_MS: int(0, 1000, 10),
    EVENTS_DEDUPE_SECONDS: int(60, 30 * 86400, 3600),
    EVENTS_LOG: bool(true),
    PROVIDER_PLANS_URL: z.string().url().optional(),
    PROVIDER_PLANS_TIMEOUT_MS: int(100, 600_000, 10_000),
    SYNC_INTERVAL_SECONDS: int(0, 7 * 86400, 300),
    PLANS_CHUNK_SIZE: int(1, 5000, 500),
    SEARCH_CACHE_TTL_SECONDS: int(0, 86400, 300),
    SEARCH_MEMORY_CACHE_MS: int(0, 60_000, 1000),
    TASK_RETENTION_HOURS: int(0, 87_600, 168),
    DEAD_TASK_RETENTION_HOURS: int(0, 87_600, 0),
    RETENTION_INTERVAL_SECONDS: int(1, 86_400, 60),
    RETENTION_BATCH_SIZE: int(1, 100_000, 5000),
    RETENTION_BUSY_PERCENT: int(1, 100, 25),
    SCHEDULE_POLL_MS: int(20, 60_000, 200),
    SCHEDULE_CATCH_UP_MAX: int(1, 10_000, 100),
    AUTH: z.enum(['on', 'off']).default('on'),
    ADMIN_API_KEY: z.string().min(32, 'must be at least 32 characters').max(200).optional(),
    // Unset: public outside production, behind a key in production.
    DOCS_PUBLIC: maybeBool,
    METRICS_PUBLIC: maybeBool,
    // Revocation reaches every gateway within twice this: at most 1 s.
    AUTH_CACHE_MS: int(0, 500, 250),
    AUTH_FAILURES_PER_MINUTE: int(1, 1_000_000, 60),
    RATE_LIMIT_READS_PER_SECOND: int(0, 1_000_000, 200),
    RATE_LIMIT_WRITES_PER_SECOND: int(0, 1_000_000, 100),
    PROVIDER_SIM_HOST: z.string().min(1).default('127.0.0.1'),
    /** The RabbitMQ management API (one URL or several, comma-separated), for the console's queue figures. */
    RABBITMQ_MANAGEMENT_URL: z
      .string()
      .optional()
      .refine(
        (v) => v === undefined || v.split(',').every((u) => URL.canParse(u.trim()) && u.trim() !== ''),
        { message: 'must be one URL or comma-separated URLs' },
      ),
    PROVIDER_SIM_PORT: int(1, 65535, 3100),
    PROVIDER_SIM_LATENCY_MS: int(0, 600_000, 0),
    PROVIDER_SIM_ERROR_RATE: z.coerce.number().min(0).max(1).default(0),
    PROVIDER_SIM_MODE: z.enum(SIM_MODES).default('ok'),
  })
  .superRefine((env, ctx) => {
    for (const key of [
      'DATABASE_URL',
      'REDIS_URL',
      'AMQP_URLS',
      'PROVIDER_PLANS_URL',
      'EVENTS_RATES_PROVIDER_URL',
    ] as const) {
      // Either broker setting will do: the list, or the one URL it replaces (named as given).
      const name = key === 'AMQP_URLS' && env.AMQP_URLS === undefined ? 'AMQP_URL' : key;
      const value = env[name];
      if (env.NODE_ENV === 'production' && !value) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'is required in production' });
      }
      if (env.NODE_ENV === 'production' && LOCAL_SECRETS.some((secret) => value?.includes(secret))) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'uses the local development credentials' });
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
    if (env.NODE_ENV === 'production' && env.ADMIN_API_KEY === LOCAL_ADMIN_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_API_KEY'], message: 'is the local development key' });
    }
    if (env.NODE_ENV === 'production' && env.AUTH === 'off') {
      ctx.addIssue({ code: 'custom', path: ['AUTH'], message: 'must not be off in production' });
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
