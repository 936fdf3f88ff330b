import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, adminKey, harness, request, waitFor } from './support';
import { CurlExample, curlExamples } from './support/readme';

/**
 * The README's curl examples, run as written (by bash and curl) against this spec's gateway, in
 * order: `<id>` is the id the collection's last example created. Each must answer its `# → NNN`.
 */
const h = harness({ simulator: true });
const examples = curlExamples(readFileSync(join(ROOT, 'README.md'), 'utf8'));
const out = join(mkdtempSync(join(tmpdir(), 'conveyor-readme-')), 'body');
const created: Record<string, string> = {};
const batches: string[] = [];

/** Runs one example with bash; answers its HTTP status and body. */
function run(command: string, streams: boolean): Promise<{ status: number; body: string }> {
  const timed = `${command} -o '${out}' -w '%{http_code}' --max-time ${streams ? 20 : 10}`;
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-c', timed],
      { timeout: 30_000, env: { ...process.env, KEY: adminKey() } },
      (err, stdout) => {
        // curl's 28 is its --max-time: a live stream that outlasts it is still an answer.
        if (err && !(streams && err.code === 28)) return reject(new Error(`${command}: ${err.message}`));
        resolve({ status: Number(stdout), body: readFileSync(out, 'utf8') });
      },
    );
  });
}

/** What a reader does between examples: waits for a batch's tasks, or for a sync to end. */
async function ready(path: string): Promise<void> {
  if (path.startsWith('/id-batches/')) {
    await waitFor('the batch tasks to exist', async () => {
      const b = await request(h.gateway.url, 'GET', `/id-batches/${created['/id-batches']}`);
      return b.body.materialized === b.body.total ? true : undefined;
    });
  }
  if (path === '/plans/sync') {
    await waitFor(
      'no plans sync in flight',
      async () => {
        const runs = await request(h.gateway.url, 'GET', '/plans/syncs');
        const busy = (runs.body.items as { status: string }[]).some((r) =>
          ['pending', 'queued', 'running'].includes(r.status),
        );
        return busy ? undefined : true;
      },
      60_000,
    );
  }
}

beforeAll(async () => {
  // The examples use user 1001 and Ada's addresses: a user left by another spec must not refuse them.
  await h.db.query(`DELETE FROM users WHERE id = 1001 OR lower(email) LIKE 'ada%@example.%'`);
});

describe('README examples', () => {
  afterAll(async () => {
    // Their user.process tasks would run under later specs (and create users there).
    for (const id of batches) await request(h.gateway.url, 'DELETE', `/id-batches/${id}`);
  });

  it('has curl examples for every area', () => {
    const paths = examples.map((e) => /localhost:3000(\/[a-z-]+)/.exec(e.command)?.[1]);
    expect(new Set(paths)).toEqual(
      new Set([
        '/tasks',
        '/users',
        '/id-batches',
        '/currencies',
        '/conversions',
        '/plans',
        '/search',
        '/events',
        '/materialized',
        '/api-keys',
        '/audit',
        '/schedules',
        '/flows',
        '/groups',
        '/workers',
        '/dead-letters',
        '/session',
      ]),
    );
  });

  it.each(examples.map((e) => [`line ${e.line}`, e] as [string, CurlExample]))(
    'answers what the README says (%s)',
    async (_line, example) => {
      const base = h.gateway.url.replace(/^http:\/\//, '');
      const path = /localhost:3000(\/[^\s'?]*)/.exec(example.command)![1];
      const collection = `/${path.split('/')[1]}`;
      if (path.includes('<id>')) expect(created[collection]).toBeDefined();
      const command = example.command
        .replaceAll('localhost:3000', base)
        .replaceAll('<id>', created[collection] ?? '');
      await ready(path.replace('<id>', created[collection] ?? ''));
      const res = await run(command, command.includes('-sN'));
      expect([example.command, res.status, res.status === example.status ? '' : res.body]).toEqual([
        example.command,
        example.status,
        '',
      ]);
      if (!/-X ?POST/.test(command) || res.status >= 300) return;
      const body = JSON.parse(res.body) as { id?: string; items?: { id: string }[] };
      const id = body.id ?? body.items?.at(-1)?.id;
      if (id) created[collection] = id;
      if (collection === '/id-batches' && id) batches.push(id);
    },
  );
});
