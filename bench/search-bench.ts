/**
 * The search scenario of `make bench`: 5,000 plans in the store, autocannon against GET /search
 * with 50 distinct one-day ranges for 20 s each — cached, uncached, and a constant Fastify route.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { RunningApp, amqpUrlFor, appScript, startAll, startProcess } from '../tools/apps';
import { authHeaders } from './auth';

const PLANS = 5000;
const DURATION_S = Number(process.env.BENCH_SEARCH_SECONDS ?? 20);
const CONNECTIONS = 20;
const PORTS = { sim: 3910, gateway: 3911, uncached: 3912, worker: 3913, constant: 3914, sized: 3915 };

export interface LoadResult {
  what: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** A process of the scenario on its port; the constant servers are ready once they answer /search. */
function start(
  name: string,
  script: string,
  port: number,
  env: Record<string, string>,
  args: string[] = [],
): Promise<RunningApp> {
  return startProcess({
    name,
    script,
    args,
    port,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      SYNC_INTERVAL_SECONDS: '0',
      AMQP_URL: amqpUrlFor(
        script.includes('/gateway/') ? 'gateway' : script.includes('/worker/') ? 'worker' : 'provider-sim',
        process.env,
      ),
      ...env,
    },
    readyPath: script.includes('constant-server') ? '/search' : '/health',
    readyWithinMs: 120_000,
  });
}

async function until(what: string, probe: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** The generated feed's plans start on one of 336 days of 2022: 50 of those days, as ranges. */
function ranges(): string[] {
  return Array.from({ length: 50 }, (_, i) => {
    const month = String(1 + (i % 12)).padStart(2, '0');
    const day = String(1 + ((i * 7) % 28)).padStart(2, '0');
    return `/search?starts_at=2022-${month}-${day}T00:00:00Z&ends_at=2022-${month}-${day}T23:59:59Z`;
  });
}

async function load(what: string, base: string): Promise<LoadResult> {
  const result = await autocannon({
    url: base,
    headers: authHeaders(),
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: ranges().map((path) => ({ method: 'GET', path })),
  });
  return {
    what,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

export async function searchBench(): Promise<{
  results: LoadResult[];
  eventsPerAnswer: number;
  bytesPerAnswer: number;
}> {
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const providers = { PROVIDER_PLANS_URL: `${url(PORTS.sim)}/plans` };
  const procs = await startAll([
    start('provider-sim', appScript('provider-sim'), PORTS.sim, { PROVIDER_SIM_PORT: String(PORTS.sim) }),
    start('gateway', appScript('gateway'), PORTS.gateway, {
      ...providers,
      GATEWAY_PORT: String(PORTS.gateway),
    }),
    start('uncached gateway', appScript('gateway'), PORTS.uncached, {
      GATEWAY_PORT: String(PORTS.uncached),
      SEARCH_CACHE_TTL_SECONDS: '0',
    }),
    start('worker', appScript('worker'), PORTS.worker, { ...providers, WORKER_PORT: String(PORTS.worker) }),
    start('constant server', 'dist/bench/constant-server.js', PORTS.constant, {}, [String(PORTS.constant)]),
  ]);
  try {
    await fetch(`${url(PORTS.sim)}/_sim`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ plans: 'generated', generated: { plans: PLANS, zones: 20 } }),
    });
    const sync = (await (
      await fetch(`${url(PORTS.gateway)}/plans/sync`, { method: 'POST', headers: authHeaders() })
    ).json()) as {
      id: string;
    };
    await until('the plans sync', async () => {
      const runs = (await (
        await fetch(`${url(PORTS.gateway)}/plans/syncs?limit=1`, { headers: authHeaders() })
      ).json()) as {
        items: { taskId: string; status: string; chunks: number; chunksExpected: number | null }[];
      };
      const run = runs.items.find((r) => r.taskId === sync.id);
      if (run && run.status !== 'succeeded' && run.status !== 'running' && run.status !== 'queued')
        throw new Error(`plans sync ended ${run.status}`);
      return run?.status === 'succeeded' && run.chunks === run.chunksExpected;
    });
    // One pass over the ranges fills the cache; the size of a typical answer, for the record.
    const answers: string[] = [];
    for (const path of ranges())
      answers.push(await (await fetch(`${url(PORTS.gateway)}${path}`, { headers: authHeaders() })).text());
    const events = answers.reduce(
      (n, a) => n + (JSON.parse(a) as { data: { events: unknown[] } }).data.events.length,
      0,
    );
    const bytes = answers.reduce((n, a) => n + a.length, 0) / answers.length;
    // The same constant route again, answering a real search answer of about the average size.
    const typical = answers.reduce((best, a) =>
      Math.abs(a.length - bytes) < Math.abs(best.length - bytes) ? a : best,
    );
    procs.push(
      await start(
        'sized constant server',
        'dist/bench/constant-server.js',
        PORTS.sized,
        { BENCH_CONSTANT_BODY: typical },
        [String(PORTS.sized)],
      ),
    );
    const results = [
      await load('constant Fastify route, tiny body (ceiling)', url(PORTS.constant)),
      await load(`constant Fastify route, a ${typical.length}-byte search answer`, url(PORTS.sized)),
      await load('GET /search, cached', url(PORTS.gateway)),
      await load('GET /search, uncached (read replica)', url(PORTS.uncached)),
    ];
    return { results, eventsPerAnswer: events / answers.length, bytesPerAnswer: bytes };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}
