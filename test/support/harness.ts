import type { Client } from 'pg';
import { RunningApp, startApp } from './apps';
import { connectDb } from './db';
import { Simulator, startSimulator } from './simulator';
import { StackEnv, stackEnv } from './stack';

export interface Harness {
  env: StackEnv;
  db: Client;
  gateway: RunningApp;
  worker?: RunningApp;
  /** The provider simulator, when asked for; the apps' provider URLs point at it. */
  sim: Simulator;
}

/**
 * Registers beforeAll/afterAll that start a gateway (and a worker unless `worker: false`) as real
 * processes against the test stack, with a database connection for assertions.
 */
export function harness(
  options: {
    worker?: boolean;
    simulator?: boolean;
    gatewayEnv?: Record<string, string>;
    workerEnv?: Record<string, string>;
  } = {},
): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    h.env = stackEnv();
    h.db = await connectDb(h.env);
    const providers: Record<string, string> = {};
    if (options.simulator) {
      h.sim = await startSimulator(h.env);
      Object.assign(providers, h.sim.providerEnv);
    }
    h.gateway = await startApp('gateway', h.env, { ...providers, ...options.gatewayEnv });
    if (options.worker !== false)
      h.worker = await startApp('worker', h.env, { ...providers, ...options.workerEnv });
  });
  afterAll(async () => {
    await h.worker?.stop();
    await h.gateway?.stop();
    await h.sim?.app.stop();
    // A spec may have closed it already (to restart PostgreSQL under it): never wait long here.
    await Promise.race([h.db?.end().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
  });
  return h;
}
