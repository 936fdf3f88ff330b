/**
 * The flow run of `make bench`: BENCH_FLOWS flows (100) of 10 levels × 10 tasks, each task waiting
 * for all ten of the level above, submitted 4 at once. Reports tasks/s from the first POST until
 * every task succeeded, and the hand-off: a child's start minus its last parent's finish.
 */
import { Client } from 'pg';
import { startAll } from '../tools/apps';
import { percentile, post, startApp } from './runs';

const FLOWS = Number(process.env.BENCH_FLOWS ?? 100);
const LEVELS = 10;
const WIDTH = 10;

export interface FlowsResult {
  flows: number;
  tasks: number;
  seconds: number;
  rate: number;
  handoffP50: number;
  handoffP99: number;
}

function flowBody(n: number): string {
  const tasks = [];
  for (let level = 0; level < LEVELS; level++) {
    for (let i = 0; i < WIDTH; i++) {
      tasks.push({
        key: `l${level}.${i}`,
        type: 'demo.work',
        payload: { seconds: 0, cpuBound: false },
        ...(level > 0 && { dependsOn: Array.from({ length: WIDTH }, (_, j) => `l${level - 1}.${j}`) }),
      });
    }
  }
  return JSON.stringify({ name: `bench-${n}`, tasks });
}

export async function flowsBench(): Promise<FlowsResult> {
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  const apps = await startAll([startApp('gateway', 3900), startApp('worker', 3901)]);
  try {
    await db.query('TRUNCATE flows, task_parents, tasks, outbox, task_attempts CASCADE');
    const bodies = Array.from({ length: FLOWS }, (_, i) => flowBody(i));
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < bodies.length) {
          const status = await post(`${apps[0].url}/flows`, bodies[next++]);
          if (status !== 201) throw new Error(`POST /flows answered ${status}`);
        }
      }),
    );
    const total = FLOWS * LEVELS * WIDTH;
    const deadline = performance.now() + 600_000;
    for (;;) {
      const { rows } = await db.query<{ n: number; done: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'succeeded')::int AS done FROM tasks`,
      );
      if (rows[0].done === total) break;
      if (rows[0].n !== total) throw new Error(`${rows[0].n} tasks, not ${total}`);
      if (performance.now() > deadline) throw new Error('the flows did not finish in 10 min');
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await db.query<{ ms: number }>(
      `SELECT extract(epoch FROM (c.started_at - max(p.finished_at))) * 1000 AS ms
       FROM tasks c JOIN task_parents e ON e.task_id = c.id JOIN tasks p ON p.id = e.parent_id
       GROUP BY c.id, c.started_at ORDER BY 1`,
    );
    const handoffs = rows.map((r) => Number(r.ms));
    return {
      flows: FLOWS,
      tasks: total,
      seconds,
      rate: total / seconds,
      handoffP50: percentile(handoffs, 50),
      handoffP99: percentile(handoffs, 99),
    };
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    await db.end();
  }
}

export function flowsLines(f: FlowsResult): string[] {
  return [
    `flows: ${f.flows} flows × ${LEVELS} levels × ${WIDTH} tasks (each waits for the ${WIDTH} above): ` +
      `${f.rate.toFixed(0)} tasks/s POST→all succeeded (${f.seconds.toFixed(2)} s); parent's finish → child's start ` +
      `p50 ${f.handoffP50.toFixed(1)} ms, p99 ${f.handoffP99.toFixed(1)} ms ${f.handoffP99 < 100 ? '(< 100 ms bar)' : '(above the 100 ms bar)'}`,
  ];
}
