/**
 * What the chaos run breaks: two gateways, two workers and the provider simulator as real
 * processes, and the chaos stack's RabbitMQ nodes, PostgreSQL primary and Redis by their pid files.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppName,
  PORT_VARIABLE,
  ROOT,
  RunningApp,
  amqpUrlFor,
  amqpUrlsFor,
  appScript,
  freePort,
  startProcess,
} from '../tools/apps';

const DATA = resolve(ROOT, '.data/chaos');
export interface Member {
  /** "gateway-1", "worker-2", ... */
  id: string;
  name: AppName;
  port: number;
  app?: RunningApp;
}

/** scripts/stack.sh for the chaos profile, off the event loop: the load goes on meanwhile. */
async function stack(command: string, ...args: string[]): Promise<void> {
  await promisify(execFile)('bash', [resolve(ROOT, 'scripts/stack.sh'), command, 'chaos', ...args], {
    cwd: ROOT,
    env: { ...process.env, RABBITMQ_NODES: '3' },
  });
}

function pidOf(file: string): number {
  return Number(readFileSync(resolve(DATA, file), 'utf8').split('\n')[0].trim());
}

const portOf = (url: string): number => Number(new URL(url).port);

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), ok(true)));
    socket.once('error', () => ok(false));
  });
}

async function portClosed(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (await listening(port)) {
    if (Date.now() > deadline) throw new Error(`port ${port} still open ${ms / 1000} s after the kill`);
    await sleep(200);
  }
}

export class Fleet {
  readonly members: Member[] = [];
  private sim?: Member;
  private providers: Record<string, string> = {};

  async start(): Promise<void> {
    const sim: Member = { id: 'provider-sim', name: 'provider-sim', port: await freePort() };
    this.sim = sim;
    await this.up(sim);
    const base = `http://127.0.0.1:${sim.port}`;
    this.providers = {
      RATES_PROVIDER_URL: `${base}/rates`,
      PROVIDER_PLANS_URL: `${base}/plans`,
      EVENTS_RATES_PROVIDER_URL: `${base}/events-rates`,
    };
    for (const name of ['gateway', 'worker'] as const)
      for (const n of [1, 2]) this.members.push({ id: `${name}-${n}`, name, port: await freePort() });
    await Promise.all(this.members.map((m) => this.up(m)));
  }

  get gateways(): Member[] {
    return this.members.filter((m) => m.name === 'gateway');
  }

  get workers(): Member[] {
    return this.members.filter((m) => m.name === 'worker');
  }

  /** Starts (or starts again) a member on its own port. */
  async up(m: Member): Promise<void> {
    m.app = await startProcess({
      name: m.id,
      script: appScript(m.name),
      port: m.port,
      readyWithinMs: 120_000,
      // The gateway's event lines are data; kept on disk, not in this process's memory.
      stdoutFile: m.name === 'gateway' ? resolve(DATA, `logs/${m.id}.out`) : undefined,
      env: {
        ...process.env,
        ...this.providers,
        LOG_LEVEL: 'warn',
        SYNC_INTERVAL_SECONDS: '0',
        RATE_LIMIT_READS_PER_SECOND: '1000000',
        RATE_LIMIT_WRITES_PER_SECOND: '1000000',
        AUTH_FAILURES_PER_MINUTE: '1000000',
        [PORT_VARIABLE[m.name]]: String(m.port),
        AMQP_URL: amqpUrlFor(m.name, process.env),
        AMQP_URLS: amqpUrlsFor(m.name, process.env),
      },
    });
  }

  /** SIGKILL of an app: nothing runs on the way out. */
  async killApp(m: Member): Promise<void> {
    await m.app?.kill();
    m.app = undefined;
  }

  /** SIGKILL of one RabbitMQ node's Erlang VM. */
  async killRabbit(n: number): Promise<void> {
    process.kill(pidOf(`run/rabbitmq${n === 1 ? '' : `-${n}`}.pid`), 'SIGKILL');
    await portClosed(portOf(process.env.AMQP_URLS!.split(',')[n - 1]), 30_000);
  }

  startRabbit(n: number): Promise<void> {
    return stack('rabbit-node-start', String(n));
  }

  /** PostgreSQL's immediate shutdown (SIGQUIT): no checkpoint, crash recovery on the next start. */
  async killPostgres(): Promise<void> {
    process.kill(pidOf('postgres/postmaster.pid'), 'SIGQUIT');
    await portClosed(portOf(process.env.DATABASE_URL!), 60_000);
  }

  startPostgres(): Promise<void> {
    return stack('pg-start');
  }

  async killRedis(): Promise<void> {
    process.kill(pidOf('run/redis.pid'), 'SIGKILL');
    await portClosed(portOf(process.env.REDIS_URL!), 30_000);
  }

  startRedis(): Promise<void> {
    return stack('redis-start');
  }

  /** Whatever is down is started again (the stack's commands skip what runs). */
  async ensureUp(): Promise<void> {
    await stack('rabbit-start');
    await stack('pg-start');
    await stack('redis-start');
    for (const m of this.members) if (!m.app) await this.up(m);
  }

  /** The live gateways' base URLs, the first one first. */
  liveGateways(): string[] {
    return this.gateways.flatMap((m) => (m.app ? [m.app.url] : []));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.members, this.sim].flatMap((m) => (m?.app ? [m.app.stop()] : [])));
  }
}
