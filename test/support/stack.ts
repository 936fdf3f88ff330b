import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ROOT } from '../../tools/apps';

export { ROOT };
const STACK = resolve(ROOT, 'scripts/stack.sh');

/** Runs scripts/stack.sh for the test profile (its own ports and data folder). */
export function stack(
  command: string,
  profile = 'test',
  env: Record<string, string> = {},
  ...args: string[]
): string {
  return execFileSync('bash', [STACK, command, profile, ...args], {
    env: { ...process.env, ...env },
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

export interface StackEnv {
  DATABASE_URL: string;
  DATABASE_READ_URL: string;
  /** The operators' broker user (tests use it to look and to meddle); the apps have their own. */
  AMQP_URL: string;
  GATEWAY_AMQP_URL: string;
  WORKER_AMQP_URL: string;
  REDIS_URL: string;
  RABBITMQ_MANAGEMENT_URL: string;
  RABBITMQ_USER: string;
  RABBITMQ_PASSWORD: string;
  /** A cluster's: every node, comma-separated. */
  AMQP_URLS?: string;
  GATEWAY_AMQP_URLS?: string;
  WORKER_AMQP_URLS?: string;
  RABBITMQ_MANAGEMENT_URLS?: string;
}

export function stackEnv(profile = 'test', env: Record<string, string> = {}): StackEnv {
  const lines = stack('env', profile, env).trim().split('\n');
  return Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  ) as unknown as StackEnv;
}
