import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT,
  RunningApp,
  StackEnv,
  allFinished,
  connectDb,
  request,
  stack,
  stackEnv,
  metricValue,
  startApp,
  waitFor,
} from './support';
import type { Client } from 'pg';

/**
 * Conveyor on a three-node RabbitMQ cluster (profile "cluster", started here beside the test
 * stack's PostgreSQL and Redis): every work queue has three replicas, and with tasks in flight a
 * node killed with SIGKILL loses nothing, the apps fail over to another node, and once it is back
 * a second node's failure loses nothing either.
 */
const CLUSTER = { RABBITMQ_NODES: '3' };
const DATA = join(ROOT, '.data/cluster');

let env: StackEnv;
let db: Client;
let gateway: RunningApp;
let worker: RunningApp;

function nodeName(n: number): string {
  return n === 1 ? 'conveyor-cluster@localhost' : `conveyor-cluster-${n}@localhost`;
}

function nodeIndex(name: string): number {
  return [1, 2, 3].find((n) => nodeName(n) === name)!;
}

/** The node listening on `host:port` (node n listens on node 1's port + 10·(n−1)). */
function portIndex(node: string): number {
  const first = Number(new URL(env.AMQP_URLS!.split(',')[0]).port);
  return (Number(node.split(':')[1]) - first) / 10 + 1;
}

function managementUrls(): string[] {
  return env.RABBITMQ_MANAGEMENT_URLS!.split(',');
}

/** A management API answer from the first node that answers. */
async function management<T>(path: string): Promise<T> {
  const auth = `Basic ${Buffer.from(`${env.RABBITMQ_USER}:${env.RABBITMQ_PASSWORD}`).toString('base64')}`;
  let last: unknown;
  for (const base of managementUrls()) {
    try {
      const res = await fetch(new URL(`api/${path}`, base), { headers: { authorization: auth } });
      if (res.ok) return (await res.json()) as T;
      last = new Error(`${path}: ${res.status}`);
    } catch (err) {
      last = err;
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

interface QueueInfo {
  members?: string[];
  online?: string[];
  leader?: string;
}

/** SIGKILL of one node's Erlang VM (its pid file is the VM's). */
function killNode(n: number): void {
  const pid = Number(readFileSync(join(DATA, `run/rabbitmq${n === 1 ? '' : `-${n}`}.pid`), 'utf8').trim());
  process.kill(pid, 'SIGKILL');
}

async function submit(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1000) {
    const items = Array.from({ length: Math.min(1000, count - i) }, (_, k) => ({
      type: 'demo.work',
      // One in twenty CPU-bound (shorter: the pool has few threads), the rest IO.
      payload: (i + k) % 20 === 0 ? { seconds: 0.05, cpuBound: true } : { seconds: 0.2, cpuBound: false },
    }));
    const r = await request(gateway.url, 'POST', '/tasks/batch', { items });
    expect(r.status).toBe(201);
    ids.push(...r.body.items.map((t: { id: string }) => t.id));
  }
  return ids;
}

async function succeededCount(ids: string[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM tasks WHERE id = ANY($1::uuid[]) AND status = 'succeeded'`,
    [ids],
  );
  return rows[0].n;
}

/** The longest stretch without a task finishing, from `from` until the last one finished. */
async function longestStall(ids: string[], from: number): Promise<number> {
  const { rows } = await db.query<{ at: Date }>(
    `SELECT finished_at AS at FROM tasks WHERE id = ANY($1::uuid[]) ORDER BY finished_at`,
    [ids],
  );
  let previous = from;
  let longest = 0;
  for (const { at } of rows) {
    if (at.getTime() < from) continue;
    longest = Math.max(longest, at.getTime() - previous);
    previous = at.getTime();
  }
  return longest;
}

async function connectedNode(app: RunningApp): Promise<string> {
  const health = await request(app.url, 'GET', '/health');
  return health.body.info?.rabbitmq?.node as string;
}

/** Kills node `n` while `ids` run; answers how long finishing stalled after the kill (ms). */
async function killDuring(n: number, ids: string[]): Promise<number> {
  await waitFor('some tasks to succeed', async () => ((await succeededCount(ids)) >= 100 ? true : undefined));
  const killedAt = Date.now();
  killNode(n);
  expect(await allFinished(db, ids, 180_000)).toEqual({ succeeded: ids.length });
  return longestStall(ids, killedAt);
}

beforeAll(async () => {
  stack('rabbit-stop', 'cluster', CLUSTER);
  rmSync(DATA, { recursive: true, force: true }); // a cluster formed from scratch each run
  stack('rabbit-start', 'cluster', CLUSTER);
  const cluster = stackEnv('cluster', CLUSTER);
  const test = stackEnv();
  env = {
    ...test,
    ...Object.fromEntries(Object.entries(cluster).filter(([k]) => /AMQP|RABBITMQ/.test(k))),
  };
  db = await connectDb(env);
  gateway = await startApp('gateway', env);
  // The worker's list starts at node 2, so the apps begin on different nodes.
  const urls = env.WORKER_AMQP_URLS!.split(',');
  worker = await startApp('worker', env, { AMQP_URLS: [...urls.slice(1), urls[0]].join(',') });
}, 240_000);

afterAll(async () => {
  await worker?.stop();
  await gateway?.stop();
  await db?.end();
  stack('rabbit-stop', 'cluster', CLUSTER);
});

describe('a three-node RabbitMQ cluster', () => {
  it('keeps three replicas of every work and status queue', async () => {
    for (const queue of [
      'conveyor.tasks.normal.io',
      'conveyor.tasks.normal.cpu',
      'conveyor.tasks.high.io',
      'conveyor.tasks.high.cpu',
      'conveyor.status',
      'conveyor.status.high',
    ]) {
      const info = await management<QueueInfo>(`queues/%2F/${queue}`);
      expect([queue, [...(info.members ?? [])].sort()]).toEqual([queue, [1, 2, 3].map(nodeName).sort()]);
    }
    expect([1, 2, 3]).toContain(portIndex(await connectedNode(gateway)));
  });

  it("loses nothing and runs no attempt twice when the queue leader, the gateway's node and the worker's node are killed in turn", async () => {
    const leader = (await management<QueueInfo>('queues/%2F/conveyor.tasks.normal.io')).leader!;
    const plan: [string, () => Promise<number>][] = [
      ['the node leading conveyor.tasks.normal.io', () => Promise.resolve(nodeIndex(leader))],
      ["the gateway's node", async () => portIndex(await connectedNode(gateway))],
      ["the worker's node", async () => portIndex(await connectedNode(worker))],
    ];
    let total = 0;
    for (const [what, which] of plan) {
      const n = await which();
      const before = [await connectedNode(gateway), await connectedNode(worker)];
      const count = total === 0 ? 2000 : 1000;
      const stall = await killDuring(n, await submit(count));
      total += count;
      process.stdout.write(
        `cluster: ${what} (${nodeName(n)}) killed under ${count} tasks; apps were on ${before.join(', ')}, ` +
          `now ${await connectedNode(gateway)}, ${await connectedNode(worker)}; longest stall ${stall} ms\n`,
      );
      expect(stall).toBeLessThan(10_000);
      // Back, it rejoins, and its replicas catch up before the next node fails.
      stack('rabbit-node-start', 'cluster', CLUSTER, String(n));
      await waitFor(
        `${nodeName(n)} to rejoin with its replicas`,
        async () => {
          const queues = await Promise.all(
            ['conveyor.tasks.normal.io', 'conveyor.status'].map((q) =>
              management<QueueInfo>(`queues/%2F/${q}`),
            ),
          );
          return queues.every((q) => q.online?.length === 3) ? true : undefined;
        },
        60_000,
        500,
      );
    }
    const ran = await metricValue(
      worker.url,
      'conveyor_task_attempt_duration_seconds_count',
      'outcome="succeeded"',
    );
    const copies = await metricValue(worker.url, 'conveyor_task_copies_settled_total');
    process.stdout.write(
      `cluster: ${total} tasks, ${ran} handler runs succeeded on the worker; ${copies} redelivered copies settled unrun\n`,
    );
    // No attempt's handler succeeded twice: every redelivered copy was settled by its first run.
    expect(ran).toBe(total);
  });
});
