import { hostname } from 'node:os';
import { RunningApp, harness, publishRaw, request, startApp, waitFor, waitForMessages } from './support';

/** GET /workers from the workers' heartbeats: up, gone after three missed beats, stopped on shutdown. */
const BEAT = { WORKER_HEARTBEAT_MS: '300' };
const h = harness({ workerEnv: BEAT });

interface Worker {
  id: string;
  pid: number;
  status: string;
  brokerNode: string | null;
  version: string;
  lastSeenAt: string;
  intervalMs: number;
  cpuThreads: number;
  poolUtilization: number;
  lanes: { queue: string; slots: number; inFlight: number }[];
}

const workerOf = async (pid: number | undefined): Promise<Worker | undefined> => {
  const r = await request(h.gateway.url, 'GET', '/workers?limit=100');
  expect(r.status).toBe(200);
  return (r.body.items as Worker[]).find((w) => w.pid === pid);
};

const inState = (app: RunningApp, status: string) =>
  waitFor(
    `worker ${app.proc.pid} to be ${status}`,
    async () => {
      const w = await workerOf(app.proc.pid);
      return w?.status === status ? w : undefined;
    },
    20_000,
    100,
  );

describe('workers', () => {
  it('lists a running worker with its node, lanes and pool, and shows its lanes busy while it works', async () => {
    const w = await inState(h.worker!, 'up');
    expect(w).toMatchObject({
      id: `${hostname()}:${h.worker!.proc.pid}`,
      version: '0.1.0',
      intervalMs: 300,
      brokerNode: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
    expect(w.cpuThreads).toBeGreaterThanOrEqual(2);
    expect(w.lanes.map((l) => l.queue).sort()).toEqual([
      'conveyor.tasks.high.cpu',
      'conveyor.tasks.high.io',
      'conveyor.tasks.normal.cpu',
      'conveyor.tasks.normal.io',
    ]);
    expect(w.lanes.every((l) => l.slots > 0)).toBe(true);

    const task = await request(h.gateway.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 3, cpuBound: true },
    });
    expect(task.status).toBe(201);
    const busy = await waitFor(
      'a heartbeat with the CPU task in flight',
      async () => {
        const now = await workerOf(h.worker!.proc.pid);
        const lane = now?.lanes.find((l) => l.queue === 'conveyor.tasks.normal.cpu');
        return lane && lane.inFlight === 1 && now!.poolUtilization > 0 ? now : undefined;
      },
      20_000,
      100,
    );
    expect(busy.status).toBe('up');
  });

  it('marks a killed worker gone after three missed heartbeats, and a stopped one stopped at once', async () => {
    const killed = await startApp('worker', h.env, BEAT);
    const stopped = await startApp('worker', h.env, BEAT);
    await inState(killed, 'up');
    await inState(stopped, 'up');

    const killedAt = Date.now();
    await killed.kill();
    const gone = await inState(killed, 'gone');
    const seenGoneAt = Date.now();
    const silentMs = seenGoneAt - killedAt;
    // Gone only once three beats of 300 ms were missed after its last one (same clock here).
    expect(seenGoneAt - Date.parse(gone.lastSeenAt)).toBeGreaterThanOrEqual(900);
    expect(silentMs).toBeLessThan(10_000);

    expect(await stopped.stop()).toBe(0);
    await inState(stopped, 'stopped');

    const listed = await request(h.gateway.url, 'GET', '/workers?status=gone&limit=100');
    expect((listed.body.items as Worker[]).map((w) => w.pid)).toContain(killed.proc.pid);
    expect((listed.body.items as Worker[]).every((w) => w.status === 'gone')).toBe(true);
    process.stdout.write(`workers: a killed worker was shown gone ${silentMs} ms after SIGKILL\n`);
  });

  it('refuses a bad filter with a 400, and dead-letters a malformed heartbeat without stopping', async () => {
    const bad = await request(h.gateway.url, 'GET', '/workers?status=sleeping');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('status must be one of up, gone, stopped');

    await publishRaw(
      h.env,
      'conveyor.status',
      'worker.heartbeat',
      JSON.stringify({ workerId: 'x', pid: -1 }),
      {
        messageId: 'heartbeat-malformed',
        contentType: 'application/json',
      },
    );
    await waitForMessages(h.env, 'conveyor.dead', [(m) => m.messageId === 'heartbeat-malformed']);
    // Beats after it are still stored.
    const before = (await workerOf(h.worker!.proc.pid))!;
    await waitFor(
      'a later heartbeat of the running worker',
      async () => {
        const w = await workerOf(h.worker!.proc.pid);
        return w && w.lastSeenAt !== before.lastSeenAt ? true : undefined;
      },
      10_000,
      100,
    );
  });
});
