import { harness, readSse, request, waitForTask } from './support';

const h = harness({
  workerEnv: { WORKER_PROGRESS_INTERVAL_MS: '100' },
  gatewayEnv: { EVENTS_POLL_MS: '100' },
});

const ORDER = ['pending', 'queued', 'running', 'succeeded'];

describe('GET /tasks/:id/events', () => {
  it('streams status and progress changes in order and closes at the terminal state', async () => {
    const created = await request(h.gateway.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 2, cpuBound: false },
    });
    expect(created.status).toBe(201);
    const stream = await readSse(`${h.gateway.url}/tasks/${created.body.id}/events`, 30_000);

    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    expect(stream.closedByServer).toBe(true);
    const tasks = stream.events.map((e) => e.data);
    expect(stream.events.every((e) => e.event === 'status')).toBe(true);
    expect(tasks.every((t) => t.id === created.body.id)).toBe(true);
    expect(tasks.at(-1)).toMatchObject({ status: 'succeeded', progress: 100 });
    const ranks = tasks.map((t) => ORDER.indexOf(t.status));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const progress = tasks.map((t) => t.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // The handler reports progress in steps: some arrive while the task runs.
    expect(tasks.some((t) => t.status === 'running' && t.progress > 0 && t.progress < 100)).toBe(true);
  });

  it('sends one event and closes for a task that already finished', async () => {
    const created = await request(h.gateway.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 0, cpuBound: false },
    });
    await waitForTask(h.gateway.url, created.body.id, 'succeeded');
    const stream = await readSse(`${h.gateway.url}/tasks/${created.body.id}/events`, 10_000);
    expect(stream.closedByServer).toBe(true);
    expect(stream.events.map((e) => e.data.status)).toEqual(['succeeded']);
  });

  it('answers 404 for an unknown task and 400 for a malformed id, as JSON errors', async () => {
    const unknown = await readSse(`${h.gateway.url}/tasks/01900000-0000-7000-8000-000000000000/events`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/not found/);
    const malformed = await readSse(`${h.gateway.url}/tasks/nope/events`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toBe('id must be a UUID');
  });
});
