import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { ROOT, harness, request, startApp, waitForTask } from './support';

const h = harness({ worker: false });

describe('graceful shutdown', () => {
  it('lets a worker finish the task it holds on SIGTERM, report it, and exit 0', async () => {
    const worker = await startApp('worker', h.env);
    const created = await request(h.gateway.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 1.5, cpuBound: false },
    });
    await waitForTask(h.gateway.url, created.body.id, 'running');
    const code = await worker.stop();
    expect(code).toBe(0);
    // Finished by this worker before it exited: no other worker is running.
    const { body } = await request(h.gateway.url, 'GET', `/tasks/${created.body.id}`);
    expect(body.status).toBe('succeeded');
    expect(body.attempts).toBe(1);
    expect(body.result.ranForMs).toBeGreaterThanOrEqual(1500);
  });

  it('stops the gateway with exit code 0', async () => {
    const other = await startApp('gateway', h.env);
    expect(await other.stop()).toBe(0);
  });
});

describe('invalid configuration', () => {
  it.each(['gateway', 'worker'])('makes the %s exit non-zero, naming each bad setting', (name) => {
    const run = spawnSync('node', [resolve(ROOT, `dist/apps/${name}/src/main.js`)], {
      env: {
        ...process.env,
        ...h.env,
        GATEWAY_PORT: 'eighty',
        WORKER_IO_CONCURRENCY: '0',
        AMQP_URL: 'not a url',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toMatch(/Invalid configuration/);
    expect(run.stderr).toMatch(/GATEWAY_PORT/);
    expect(run.stderr).toMatch(/WORKER_IO_CONCURRENCY/);
    expect(run.stderr).toMatch(/AMQP_URL/);
  });
});
