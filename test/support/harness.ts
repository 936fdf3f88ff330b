import type { Client } from 'pg';
import { RunningApp, startApp } from './apps';
import { connectDb } from './db';
import { StackEnv, stackEnv } from './stack';

export interface Harness {
  env: StackEnv;
  db: Client;
  gateway: RunningApp;
  worker?: RunningApp;
}

/**
 * Registers beforeAll/afterAll that start a gateway (and a worker unless `worker: false`) as real
 * processes against the test stack, with a database connection for assertions.
 */
export function harness(
  options: { worker?: boolean; gatewayEnv?: Record<string, string>; workerEnv?: Record<string, string> } = {},
): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    h.env = stackEnv();
    h.db = await connectDb(h.env);
    h.gateway = await startApp('gateway', h.env, options.gatewayEnv);
    if (options.worker !== false) h.worker = await startApp('worker', h.env, options.workerEnv);
  });
  afterAll(async () => {
    await h.worker?.stop();
    await h.gateway?.stop();
    // A spec may have closed it already (to restart PostgreSQL under it): never wait long here.
    await Promise.race([h.db?.end().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
  });
  return h;
}
