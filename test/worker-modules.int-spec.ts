import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT, harness, request, startApp, waitForTask } from './support';

const h = harness({ worker: false });

describe('the worker process', () => {
  it('never loads TypeORM, pg, libs/db or a gateway side, even after running tasks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'worker-modules-'));
    const file = join(dir, 'loaded.txt');
    const worker = await startApp('worker', h.env, {
      NODE_OPTIONS: `--require ${resolve(ROOT, 'test/support/loaded-modules.js')}`,
      LOADED_MODULES_FILE: file,
    });
    try {
      for (const cpuBound of [false, true]) {
        const created = await request(h.gateway.url, 'POST', '/tasks', {
          type: 'demo.work',
          payload: { seconds: 0, cpuBound },
        });
        expect((await waitForTask(h.gateway.url, created.body.id, 'terminal')).status).toBe('succeeded');
      }
    } finally {
      expect(await worker.stop()).toBe(0);
    }
    const loaded = (await readFile(file, 'utf8')).split('\n');
    await rm(dir, { recursive: true, force: true });
    // What it did load: the worker runtime, the pool and the broker client.
    expect(loaded.some((p) => p.includes('/dist/libs/tasks/src/worker/task-runner.service.js'))).toBe(true);
    expect(loaded.some((p) => p.includes('/node_modules/piscina/'))).toBe(true);
    expect(loaded.some((p) => p.includes('/node_modules/amqplib/'))).toBe(true);
    const forbidden = loaded.filter((p) =>
      /\/node_modules\/(typeorm|pg|pg-pool|@nestjs\/typeorm)\/|\/dist\/libs\/db\/|\/src\/gateway\//.test(p),
    );
    expect(forbidden).toEqual([]);
    console.log(`worker modules: ${loaded.length} loaded, none of TypeORM, pg, libs/db or a gateway side`);
  });
});
