import { v7 as uuidv7 } from 'uuid';
import {
  asRelay,
  deleteKeys,
  harness,
  metricValue,
  publishRaw,
  request,
  startApp,
  waitFor,
  waitForTask,
} from './support';

/**
 * Every path to a terminal status, then the invariant of a terminal task (TERMINAL_STATUSES in
 * libs/contracts): nothing left to publish, nothing happened after the end, and the status agrees
 * with the attempts on record. A stray copy of a task message afterwards changes none of it.
 */
const h = harness({ gatewayEnv: { RETRY_BASE_MS: '50', RETRY_MAX_MS: '100' } });

interface Row {
  status: string;
  attempts: number;
  result: unknown;
  error: unknown;
  queued_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
}

/** The invariant, checked on the rows themselves. */
async function checkTerminal(id: string, expected: string): Promise<void> {
  const task = (await h.db.query<Row>(`SELECT * FROM tasks WHERE id = $1`, [id])).rows[0];
  const outbox = (await h.db.query(`SELECT id FROM outbox WHERE task_id = $1`, [id])).rows;
  const attempts = (
    await h.db.query<{ attempt: number; status: string; started_at: Date | null }>(
      `SELECT attempt, status, started_at FROM task_attempts WHERE task_id = $1 ORDER BY attempt`,
      [id],
    )
  ).rows;
  const where = `${expected} task ${id}`;
  expect([where, task.status]).toEqual([where, expected]);
  expect([where, 'unpublished messages', outbox.length]).toEqual([where, 'unpublished messages', 0]);
  const end = task.finished_at!.getTime();
  expect([where, 'finished', task.finished_at !== null]).toEqual([where, 'finished', true]);
  for (const [what, at] of [
    ['queued', task.queued_at],
    ['started', task.started_at],
    ...attempts.map((a) => [`attempt ${a.attempt} began`, a.started_at] as const),
  ] as const) {
    if (at) expect([where, what, at.getTime() <= end]).toEqual([where, what, true]);
  }
  for (const a of attempts) expect([where, a.attempt <= task.attempts]).toEqual([where, true]);
  const succeeded = attempts.filter((a) => a.status === 'succeeded');
  if (expected === 'succeeded') {
    expect(task.result).not.toBeNull();
    expect(attempts.at(-1)?.status).toBe('succeeded');
  } else {
    expect([where, 'succeeded attempts', succeeded.length]).toEqual([where, 'succeeded attempts', 0]);
  }
  if (expected === 'failed' || expected === 'dead') expect(task.error).not.toBeNull();
}

async function submit(payload: object, extra: object = {}): Promise<string> {
  const res = await request(h.gateway.url, 'POST', '/tasks', { type: 'demo.work', payload, ...extra });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** A second copy of the task's message for `attempt`, as a relay that published it twice sends it. */
async function strayCopy(id: string, attempt: number): Promise<void> {
  const body = JSON.stringify({
    id,
    type: 'demo.work',
    priority: 'normal',
    payload: { seconds: 0, cpuBound: false },
  });
  await publishRaw(
    h.env,
    'conveyor.tasks',
    'task.normal.io.demo.work',
    body,
    asRelay(id, attempt, body, { messageId: `${id}/${attempt}/again-${uuidv7()}` }),
  );
}

const ignored = async () =>
  (await metricValue(h.gateway.url, 'conveyor_status_messages_total', 'outcome="ignored"')) ?? 0;

describe('the terminal-state invariant', () => {
  const reached: [string, string][] = [];

  it('holds on every path to a terminal status', async () => {
    const succeeded = await submit({ seconds: 0, cpuBound: false });
    const failed = await submit({ seconds: 0, cpuBound: false, fail: true });
    const failedAfterRetries = await submit(
      { seconds: 0, cpuBound: false, failAttempts: 5 },
      { maxAttempts: 2 },
    );
    const cancelledPending = await submit({ seconds: 0, cpuBound: false }, { delaySeconds: 3600 });
    const cancelledRunning = await submit({ seconds: 30, cpuBound: false });
    // Due in 3 s, and dead before that: a dead letter naming it (its message never published).
    const deadScheduled = await submit({ seconds: 0, cpuBound: false }, { delaySeconds: 3 });
    await publishRaw(h.env, 'conveyor.dlx', '', 'not a task message', {
      correlationId: deadScheduled,
      headers: { 'x-conveyor-attempt': 1 },
    });

    await waitForTask(h.gateway.url, cancelledRunning, 'running');
    for (const id of [cancelledPending, cancelledRunning]) {
      expect((await request(h.gateway.url, 'PATCH', `/tasks/${id}`, { status: 'cancelled' })).status).toBe(
        200,
      );
    }
    const expected: [string, string][] = [
      [succeeded, 'succeeded'],
      [failed, 'failed'],
      [failedAfterRetries, 'failed'],
      [cancelledPending, 'cancelled'],
      [cancelledRunning, 'cancelled'],
      [deadScheduled, 'dead'],
    ];
    for (const [id, status] of expected) {
      expect((await waitForTask(h.gateway.url, id, 'terminal')).status).toBe(status);
      await checkTerminal(id, status);
    }
    // The cancelled running attempt was on record before the cancel: its end is recorded too,
    // once the worker's report of it arrives.
    await waitFor('the cancelled attempt to be recorded', async () => {
      const ran = await h.db.query(`SELECT status FROM task_attempts WHERE task_id = $1`, [cancelledRunning]);
      return ran.rows[0]?.status === 'cancelled' && ran.rows.length === 1 ? true : undefined;
    });
    reached.push(...expected);
  });

  it('settles a copy of an attempt the same worker already ran without running it again', async () => {
    expect(reached).toHaveLength(6);
    const settled = async () => (await metricValue(h.worker!.url, 'conveyor_task_copies_settled_total')) ?? 0;
    const [settledBefore, ignoredBefore] = [await settled(), await ignored()];
    for (const [id] of reached) await strayCopy(id, 1);
    // Four of them ran attempt 1 on this worker; the dead one never ran (its copy runs and is
    // ignored), and the pending one that was cancelled is dropped by its cancel mark.
    await waitFor('the copies to be settled', async () =>
      (await settled()) === settledBefore + 4 && (await ignored()) === ignoredBefore + 1 ? true : undefined,
    );
    for (const [id, status] of reached) await checkTerminal(id, status);
  });

  it('still holds after a stray copy of each message reaches a worker that never ran it', async () => {
    expect(reached).toHaveLength(6);
    await h.worker!.stop();
    h.worker = await startApp('worker', h.env);
    // Each attempt 1 is marked done in Redis (the copies of the last test included), so the new
    // worker acks all six copies unrun: none reaches a handler or the gateway.
    const settled = async () => (await metricValue(h.worker!.url, 'conveyor_task_copies_settled_total')) ?? 0;
    let before = await ignored();
    for (const [id] of reached) await strayCopy(id, 1);
    await waitFor('the copies to be settled', async () => ((await settled()) === 6 ? true : undefined));
    expect(await ignored()).toBe(before);
    for (const [id, status] of reached) await checkTerminal(id, status);

    // With those marks gone (Redis lost its data) and a worker that has not settled them itself,
    // the copies run, and the gateway ignores their reports.
    await deleteKeys(h.env, 'conveyor:attempt:*');
    await h.worker.stop();
    h.worker = await startApp('worker', h.env);
    const reporting = reached.filter(([, status]) => status !== 'cancelled');
    before = await ignored();
    for (const [id] of reached) await strayCopy(id, 1);
    await waitFor('the stray reports to be applied as ignored', async () =>
      (await ignored()) >= before + reporting.length ? true : undefined,
    );
    for (const [id, status] of reached) await checkTerminal(id, status);
  });
});
