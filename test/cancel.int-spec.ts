import { harness, metricValue, request, waitFor, waitForTask } from './support';

const THREADS = 4;
const h = harness({ workerEnv: { WORKER_CPU_THREADS: String(THREADS) } });

/** A counter of the worker, summed over the matching series (0 before it was first incremented). */
async function metric(name: string, labels: string): Promise<number> {
  return (await metricValue(h.worker!.url, name, labels)) ?? 0;
}

async function attemptsOf(id: string) {
  return (await request(h.gateway.url, 'GET', `/tasks/${id}/attempts`)).body.items;
}

describe('cancelling running tasks', () => {
  it('stops 100 running CPU tasks, each within 1 s, inside their threads, and none succeeds', async () => {
    // This worker also runs what earlier specs left queued: let that finish, so the counters below are ours.
    await waitFor(
      "earlier specs' tasks to finish",
      async () => {
        const { rows } = await h.db.query<{ status: string; type: string; n: number }>(
          `SELECT status, type, count(*)::int AS n FROM tasks WHERE status IN ('queued', 'running', 'retrying')
             OR (status = 'pending' AND run_at < now() + interval '10 minutes') GROUP BY status, type`,
        );
        // Thrown, so a timeout names what is still there.
        if (rows.length) throw new Error(rows.map((r) => `${r.n} ${r.status} ${r.type}`).join(', '));
        return true;
      },
      120_000,
      250,
    );
    const succeededBefore = await metric(
      'conveyor_task_attempt_duration_seconds_count',
      'outcome="succeeded"',
    );
    const inHandlerBefore = await metric('conveyor_tasks_cancelled_total', 'how="in-handler"');
    const threadEndedBefore = await metric('conveyor_tasks_cancelled_total', 'how="thread-ended"');
    const items = Array.from({ length: 100 }, () => ({
      type: 'demo.work',
      payload: { seconds: 120, cpuBound: true },
    }));
    const created = await request(h.gateway.url, 'POST', '/tasks/batch', { items });
    expect(created.status).toBe(201);
    const ids: string[] = created.body.items.map((t: { id: string }) => t.id);
    const mine = new Set(ids);
    const cancelledAt = new Map<string, number>();

    // Cancel each task once it runs; the worker then takes the next one onto the freed thread.
    await waitFor(
      'all 100 tasks to have been cancelled while running',
      async () => {
        const running = await request(h.gateway.url, 'GET', '/tasks?status=running&type=demo.work&limit=100');
        for (const task of running.body.items as { id: string }[]) {
          // Only this test's tasks: earlier specs' tasks may be finishing meanwhile.
          if (cancelledAt.has(task.id) || !mine.has(task.id)) continue;
          cancelledAt.set(task.id, Date.now());
          const res = await request(h.gateway.url, 'PATCH', `/tasks/${task.id}`, { status: 'cancelled' });
          expect(res.status).toBe(200);
          expect(res.body.status).toBe('cancelled');
        }
        return cancelledAt.size === ids.length ? true : undefined;
      },
      180_000,
      50,
    );

    const stoppedAfterMs: number[] = [];
    for (const id of ids) {
      const [attempt] = await waitFor(`the attempt of ${id} to end`, async () => {
        const attempts = await attemptsOf(id);
        return attempts[0]?.finishedAt ? attempts : undefined;
      });
      expect(attempt).toMatchObject({ attempt: 1, status: 'cancelled', error: { code: 'CANCELLED' } });
      stoppedAfterMs.push(new Date(attempt.finishedAt).getTime() - cancelledAt.get(id)!);
    }
    expect(Math.max(...stoppedAfterMs)).toBeLessThan(1000);
    // Every cancel was honoured inside the handler (threads reused), none by ending a thread.
    expect(await metric('conveyor_tasks_cancelled_total', 'how="in-handler"')).toBe(inHandlerBefore + 100);
    expect(await metric('conveyor_tasks_cancelled_total', 'how="thread-ended"')).toBe(threadEndedBefore);
    expect(await metric('conveyor_task_attempt_duration_seconds_count', 'outcome="succeeded"')).toBe(
      succeededBefore,
    );
    const { rows } = await h.db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM tasks WHERE id = ANY($1) GROUP BY status',
      [ids],
    );
    expect(rows).toEqual([{ status: 'cancelled', n: 100 }]);
    const sorted = [...stoppedAfterMs].sort((a, b) => a - b);
    process.stdout.write(
      `cancel latency over 100 running CPU tasks: p50 ${sorted[49]} ms, max ${sorted[99]} ms\n`,
    );
  });

  it('aborts a running IO task through its signal', async () => {
    const created = await request(h.gateway.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 120, cpuBound: false },
    });
    await waitForTask(h.gateway.url, created.body.id, 'running');
    const at = Date.now();
    const res = await request(h.gateway.url, 'PATCH', `/tasks/${created.body.id}`, { status: 'cancelled' });
    expect(res.status).toBe(200);
    const [attempt] = await waitFor('the IO attempt to end', async () => {
      const attempts = await attemptsOf(created.body.id);
      return attempts[0]?.finishedAt ? attempts : undefined;
    });
    expect(attempt.status).toBe('cancelled');
    expect(new Date(attempt.finishedAt).getTime() - at).toBeLessThan(1000);
    expect((await request(h.gateway.url, 'GET', `/tasks/${created.body.id}`)).body.status).toBe('cancelled');
  });
});
