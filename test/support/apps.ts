import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, StackEnv } from './stack';

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

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

/** Starts a built app as a real process on a free port and waits until its /health answers 200. */
export async function startApp(
  name: 'gateway' | 'worker' | 'provider-sim',
  env: StackEnv,
  extra: Record<string, string> = {},
): Promise<RunningApp> {
  const portVar = { gateway: 'GATEWAY_PORT', worker: 'WORKER_PORT', 'provider-sim': 'PROVIDER_SIM_PORT' }[
    name
  ];
  const port = extra[portVar] ? Number(extra[portVar]) : await freePort();
  const proc = spawn('node', [resolve(ROOT, `dist/apps/${name}/src/main.js`)], {
    cwd: ROOT,
    // No scheduled plans syncs unless a spec asks: they would add tasks under other specs' feet.
    env: {
      ...process.env,
      ...env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      SYNC_INTERVAL_SECONDS: '0',
      [portVar]: String(port),
      ...extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  proc.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));
  const url = `http://127.0.0.1:${port}`;
  const app: RunningApp = {
    name,
    url,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const code = await exited;
      // A failed shutdown fails its test; the end of the app's log says why.
      if (code !== 0 && code !== null)
        process.stderr.write(`${name} exited with ${code} on SIGTERM:\n${out.slice(-4000)}\n`);
      return code;
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${name} exited with ${proc.exitCode ?? proc.signalCode}:\n${out}`);
    }
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return app;
    if (Date.now() > deadline) {
      await app.kill();
      throw new Error(`${name} not healthy within 30 s:\n${out}`);
    }
    await sleep(100);
  }
}
