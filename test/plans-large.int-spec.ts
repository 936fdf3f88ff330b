import { readFileSync } from 'node:fs';
import { harness, request, waitFor } from './support';

// A big feed takes a while to download and parse: this spec's provider timeout is generous.
const h = harness({ simulator: true, workerEnv: { PROVIDER_PLANS_TIMEOUT_MS: '120000' } });

async function sync() {
  const started = await request(h.gateway.url, 'POST', '/plans/sync');
  expect(started.status).toBe(201);
  return waitFor(
    `sync ${started.body.id} to finish`,
    async () => {
      const run = (await request(h.gateway.url, 'GET', '/plans/syncs?limit=1')).body.items[0];
      if (run?.taskId !== started.body.id) return undefined;
      if (run.status === 'succeeded' && run.chunks === run.chunksExpected) return run;
      return ['failed', 'dead'].includes(run.status) ? run : undefined;
    },
    180_000,
    250,
  );
}

describe('a large plans feed', () => {
  it('ingests a feed of 5,000 plans with 200 zones each without holding the document', async () => {
    const rssKiB = (field: string) => {
      const status = readFileSync(`/proc/${h.worker!.proc.pid}/status`, 'utf8');
      return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]);
    };
    const before = rssKiB('VmRSS');
    await h.sim.set({ plans: 'generated', generated: { plans: 5000, zones: 200 } });
    const started = Date.now();
    const run = await sync();
    const tookMs = Date.now() - started;
    expect(run).toMatchObject({ status: 'succeeded', plansSeen: 5000, chunks: 10 });
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n FROM plans WHERE title LIKE 'Generated plan %'`,
    );
    expect(rows[0].n).toBe(5000);
    const peak = rssKiB('VmHWM');
    console.log(
      `plans feed of 5,000 plans x 200 zones: synced in ${tookMs} ms; worker RSS ${Math.round(before / 1024)} MiB before, peak ${Math.round(peak / 1024)} MiB`,
    );
    // The document is about 100 MB of XML; a parsed tree of it would take several times that.
    expect(peak / 1024).toBeLessThan(400);
  });
});
