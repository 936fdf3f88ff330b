/**
 * The flow run of `make bench`: BENCH_FLOWS flows (100) of 10 levels × 10 tasks, each task waiting
 * for all ten of the level above, submitted 4 at once. Reports tasks/s from the first POST until
 * every task succeeded, and the hand-off: a child's start minus its last parent's finish.
 */
import { Client } from 'pg';
import { startAll } from '../tools/apps';
import { percentile, postFor, startApp } from './runs';

const FLOWS = Number(process.env.BENCH_FLOWS ?? 100);
const LEVELS = 10;
const WIDTH = 10;

/** One run: how many flows were in flight at once, and what came of it. */
export interface FlowRun {
  inFlight: number;
  seconds: number;
  rate: number;
  handoffP50: number;
  handoffP99: number;
}

export interface FlowsResult {
  flows: number;
  tasks: number;
  /** Every flow submitted at once: the throughput figure, its hand-off mostly queueing. */
  loaded: FlowRun;
  /** FEW_IN_FLIGHT flows at a time: the hand-off itself. */
  few: FlowRun;
}

/** Flows at a time in the second run: a steady pipeline, not a backlog. */
const FEW_IN_FLIGHT = Number(process.env.BENCH_FLOWS_IN_FLIGHT ?? 4);

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

const TOTAL = FLOWS * LEVELS * WIDTH;

/** Of these flows, the ones whose every task succeeded (one query, however many are asked about). */
async function finished(db: Client, flowIds: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT flow_id AS id FROM tasks WHERE flow_id = ANY($1::uuid[])
     GROUP BY flow_id HAVING count(*) FILTER (WHERE status <> 'succeeded') = 0`,
    [flowIds],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Runs the FLOWS flows, `inFlight` at a time: a flow is submitted as soon as one in flight has
 * finished. One poll every 20 ms watches them all, so the watching costs PostgreSQL little.
 */
async function run(db: Client, url: string, inFlight: number): Promise<FlowRun> {
  await db.query('TRUNCATE flows, task_parents, tasks, outbox, task_attempts CASCADE');
  const bodies = Array.from({ length: FLOWS }, (_, i) => flowBody(i));
  const submit = async (body: string) => {
    const res = await postFor(`${url}/flows`, body);
    if (res.status !== 201) throw new Error(`POST /flows answered ${res.status}`);
    return (JSON.parse(res.body) as { id: string }).id;
  };
  const started = performance.now();
  const deadline = started + 600_000;
  let next = 0;
  let open = new Set<string>();
  while (next < bodies.length || open.size > 0) {
    const room = Math.min(inFlight - open.size, bodies.length - next);
    const batch = bodies.slice(next, next + room);
    next += batch.length;
    // At most 4 POSTs at once, as the batch runs submit.
    for (let i = 0; i < batch.length; i += 4) {
      for (const id of await Promise.all(batch.slice(i, i + 4).map(submit))) open.add(id);
    }
    if (performance.now() > deadline) throw new Error('the flows did not finish in 10 min');
    await new Promise((r) => setTimeout(r, 20));
    const done = await finished(db, [...open]);
    open = new Set([...open].filter((id) => !done.has(id)));
  }
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await db.query<{ ms: number }>(
    `SELECT extract(epoch FROM (c.started_at - max(p.finished_at))) * 1000 AS ms
     FROM tasks c JOIN task_parents e ON e.task_id = c.id JOIN tasks p ON p.id = e.parent_id
     GROUP BY c.id, c.started_at ORDER BY 1`,
  );
  const handoffs = rows.map((r) => Number(r.ms));
  return {
    inFlight,
    seconds,
    rate: TOTAL / seconds,
    handoffP50: percentile(handoffs, 50),
    handoffP99: percentile(handoffs, 99),
  };
}

export async function flowsBench(): Promise<FlowsResult> {
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  const apps = await startAll([startApp('gateway', 3900), startApp('worker', 3901)]);
  try {
    const loaded = await run(db, apps[0].url, FLOWS);
    const few = await run(db, apps[0].url, FEW_IN_FLIGHT);
    return { flows: FLOWS, tasks: TOTAL, loaded, few };
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    await db.end();
  }
}

export function flowsLines(f: FlowsResult): string[] {
  const line = (r: FlowRun, what: string) =>
    `  ${what}: ${r.rate.toFixed(0)} tasks/s POST→all succeeded (${r.seconds.toFixed(2)} s); ` +
    `parent's finish → child's start p50 ${r.handoffP50.toFixed(1)} ms, p99 ${r.handoffP99.toFixed(1)} ms`;
  return [
    `flows: ${f.flows} flows × ${LEVELS} levels × ${WIDTH} tasks, each waiting for the ${WIDTH} above (${f.tasks} tasks)`,
    line(f.loaded, 'all submitted at once (hand-off is mostly the wait behind the other ready tasks)'),
    line(f.few, `${f.few.inFlight} flows in flight`) +
      (f.few.handoffP99 < 100 ? ' (p99 < 100 ms bar)' : ' (p99 above the 100 ms bar)'),
  ];
}
