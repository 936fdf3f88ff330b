import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root, from the sources (tools/) or the build (dist/tools/). */
export const ROOT = (function findRoot(dir: string): string {
  if (existsSync(join(dir, 'package.json'))) return dir;
  if (dirname(dir) === dir) throw new Error('no package.json above the tools folder');
  return findRoot(dirname(dir));
})(__dirname);

export type AppName = 'gateway' | 'worker' | 'provider-sim';

/** The setting each app reads its HTTP port from. */
export const PORT_VARIABLE: Record<AppName, string> = {
  gateway: 'GATEWAY_PORT',
  worker: 'WORKER_PORT',
  'provider-sim': 'PROVIDER_SIM_PORT',
};

/** The built entry point of an app. */
export function appScript(name: AppName): string {
  return `dist/apps/${name}/src/main.js`;
}

/** The broker URL an app connects with: its own least-privilege user where the stack has one. */
export function amqpUrlFor(name: AppName, env: Record<string, string | undefined>): string | undefined {
  const own = name === 'gateway' ? env.GATEWAY_AMQP_URL : name === 'worker' ? env.WORKER_AMQP_URL : undefined;
  return own ?? env.AMQP_URL;
}

/** The same for a cluster: every node's URL, comma-separated (undefined for a single broker). */
export function amqpUrlsFor(name: AppName, env: Record<string, string | undefined>): string | undefined {
  const own =
    name === 'gateway' ? env.GATEWAY_AMQP_URLS : name === 'worker' ? env.WORKER_AMQP_URLS : undefined;
  return own ?? env.AMQP_URLS;
}

export interface RunningApp {
  name: string;
  url: string;
  proc: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, nothing runs on the way out. */
  kill(): Promise<void>;
}

export interface ProcessSpec {
  name: string;
  /** The script to run, relative to the repository root. */
  script: string;
  args?: string[];
  /** Extra node flags, say `--cpu-prof`. */
  nodeArgs?: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  /** A path that answers 200 once the process is ready. */
  readyPath?: string;
  readyWithinMs?: number;
  /** Write its stdout (its data, say the gateway's event lines) to this file instead of keeping it. */
  stdoutFile?: string;
}

/** Children still running; killed if this process exits first (say, a crashed bench), never orphaned. */
const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

/**
 * Starts a built app (or bench server) as a real process and waits until `readyPath` answers 200.
 * Shared by the integration tests and `make bench`. The last 20,000 characters of its output are
 * kept, and printed when it exits non-zero on SIGTERM.
 */
export async function startProcess(spec: ProcessSpec): Promise<RunningApp> {
  const stdout = spec.stdoutFile ? openSync(spec.stdoutFile, 'a') : 'pipe';
  const proc = spawn('node', [...(spec.nodeArgs ?? []), resolve(ROOT, spec.script), ...(spec.args ?? [])], {
    cwd: ROOT,
    env: spec.env,
    stdio: ['ignore', stdout, 'pipe'],
  });
  if (typeof stdout === 'number') closeSync(stdout); // the child holds its own copy
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  proc.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));
  const url = `http://127.0.0.1:${spec.port}`;
  const app: RunningApp = {
    name: spec.name,
    url,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const code = await exited;
      // A failed shutdown fails its test; the end of the app's log says why.
      if (code !== 0 && code !== null)
        process.stderr.write(`${spec.name} exited with ${code} on SIGTERM:\n${out.slice(-4000)}\n`);
      return code;
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
  const within = spec.readyWithinMs ?? 30_000;
  const deadline = Date.now() + within;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${spec.name} exited with ${proc.exitCode ?? proc.signalCode}:\n${out}`);
    }
    const ok = await fetch(`${url}${spec.readyPath ?? '/health'}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return app;
    if (Date.now() > deadline) {
      await app.kill();
      throw new Error(`${spec.name} not ready within ${within / 1000} s:\n${out}`);
    }
    await sleep(100);
  }
}

/** Starts several at once; when one fails to start, the others are stopped before the error is thrown. */
export async function startAll(starting: Promise<RunningApp>[]): Promise<RunningApp[]> {
  const settled = await Promise.allSettled(starting);
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (!failed) return started;
  await Promise.all(started.map((app) => app.kill()));
  throw failed.reason;
}
