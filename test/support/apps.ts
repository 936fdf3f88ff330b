import {
  AppName,
  PORT_VARIABLE,
  RunningApp,
  amqpUrlFor,
  amqpUrlsFor,
  appScript,
  freePort,
  startProcess,
} from '../../tools/apps';
import { StackEnv } from './stack';

export type { RunningApp } from '../../tools/apps';

/** Starts a built app as a real process on a free port and waits until its /health answers 200. */
export async function startApp(
  name: AppName,
  env: StackEnv,
  extra: Record<string, string> = {},
): Promise<RunningApp> {
  const portVar = PORT_VARIABLE[name];
  const port = extra[portVar] ? Number(extra[portVar]) : await freePort();
  return startProcess({
    name,
    script: appScript(name),
    port,
    // No scheduled plans syncs unless a spec asks: they would add tasks under other specs' feet.
    env: {
      ...process.env,
      ...env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      SYNC_INTERVAL_SECONDS: '0',
      // Specs fire bursts at one key; the rate-limit spec sets its own limits.
      RATE_LIMIT_READS_PER_SECOND: '100000',
      RATE_LIMIT_WRITES_PER_SECOND: '100000',
      AUTH_FAILURES_PER_MINUTE: '100000',
      [portVar]: String(port),
      // Each app with its own least-privilege broker user, as `make up` runs them.
      AMQP_URL: amqpUrlFor(name, { ...env }),
      AMQP_URLS: amqpUrlsFor(name, { ...env }),
      ...extra,
    },
  });
}
