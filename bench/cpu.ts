/**
 * CPU time per component of the bench stack, from /proc: a process tree's user+system time,
 * including its children that already exited (PostgreSQL backends come and go).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from '../tools/apps';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Stat {
  ppid: number;
  own: number;
  reaped: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** CPU seconds used so far by each named process tree. */
export function cpuSeconds(roots: Record<string, number | undefined>): Record<string, number> {
  const stats = new Map<number, Stat>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s) stats.set(pid, s);
  }
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) {
    const siblings = children.get(s.ppid);
    if (siblings) siblings.push(pid);
    else children.set(s.ppid, [pid]);
  }
  const out: Record<string, number> = {};
  for (const [name, root] of Object.entries(roots)) {
    const rootStat = root === undefined ? undefined : stats.get(root);
    if (root === undefined || !rootStat) continue;
    let ticks = rootStat.reaped;
    const todo = [root];
    while (todo.length > 0) {
      const pid = todo.pop()!;
      ticks += stats.get(pid)?.own ?? 0;
      todo.push(...(children.get(pid) ?? []));
    }
    out[name] = ticks / TICKS_PER_SECOND;
  }
  return out;
}

/** The pid in a pid file (PostgreSQL's postmaster.pid has it on its first line). */
export function pidFromFile(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function cpuDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

/** CPU seconds so far of each part of the bench stack, the apps (pids asked at each call) and this process. */
export function stackCpu(apps: () => { gateway?: number; worker?: number }): Record<string, number> {
  const run = resolve(ROOT, '.data/bench');
  const own = process.cpuUsage();
  return {
    ...cpuSeconds({
      ...apps(),
      rabbitmq: pidFromFile(`${run}/run/rabbitmq.launcher.pid`),
      postgres: pidFromFile(`${run}/postgres/postmaster.pid`),
      replica: pidFromFile(`${run}/postgres-replica/postmaster.pid`),
      redis: pidFromFile(`${run}/run/redis.pid`),
    }),
    'load generator': (own.user + own.system) / 1e6,
  };
}
