import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { harness, request, waitForTask } from './support';

const h = harness();

describe('CPU work and the worker event loop', () => {
  it('keeps the worker responsive while a 2 s CPU task runs', async () => {
    const created = await request(h.gateway.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 2, cpuBound: true },
    });
    await waitForTask(h.gateway.url, created.body.id, 'running', 30_000, 20);

    // Ping the worker's own HTTP server every 50 ms while the task runs: each answer needs its event loop.
    const latencies: number[] = [];
    let status = 'running';
    while (status === 'running') {
      const t0 = performance.now();
      const res = await fetch(`${h.worker!.url}/health`);
      latencies.push(performance.now() - t0);
      expect(res.status).toBe(200);
      status = (await request(h.gateway.url, 'GET', `/tasks/${created.body.id}`)).body.status;
      await sleep(50);
    }
    const done = (await request(h.gateway.url, 'GET', `/tasks/${created.body.id}`)).body;
    expect(done.status).toBe('succeeded');
    expect(done.result.ranForMs).toBeGreaterThanOrEqual(2000);
    const max = Math.max(...latencies);
    process.stdout.write(
      `event loop: ${latencies.length} pings during a 2 s CPU task, max ${max.toFixed(1)} ms\n`,
    );
    expect(latencies.length).toBeGreaterThanOrEqual(10);
    // Had the task run on the event loop, one ping would have waited about 2000 ms.
    expect(max).toBeLessThan(500);

    // The worker's own measurement agrees.
    const metrics = await (await fetch(`${h.worker!.url}/metrics`)).text();
    const lagMax = Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(metrics)?.[1]);
    expect(lagMax).toBeLessThan(0.5);
  });
});
