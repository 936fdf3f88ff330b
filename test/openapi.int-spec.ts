import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, harness, request, waitFor } from './support';
import { OpenApi, exampleQuery, operations, requestBodies } from './support/openapi';

/**
 * /docs is a promise to a client: Spectral finds nothing in it, every request example it offers is
 * accepted as offered ("Try it out"), and every whole-object example is a state that can exist.
 */
const h = harness({ simulator: true });
const run = promisify(execFile);

let doc: OpenApi;

beforeAll(async () => {
  const res = await request<OpenApi>(h.gateway.url, 'GET', '/docs-json');
  expect(res.status).toBe(200);
  doc = res.body;
});

describe('the OpenAPI document', () => {
  it('passes Spectral (spectral:oas) with no error and no warning', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'conveyor-oas-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const spectral = join(ROOT, 'node_modules/.bin/spectral');
    // --fail-severity=hint: any finding makes the exit code non-zero, and the JSON lists them.
    const out = await run(
      spectral,
      ['lint', '-r', join(ROOT, '.spectral.yaml'), '-f', 'json', '--fail-severity=hint', '-q', file],
      { cwd: ROOT },
    ).then(
      (r) => r.stdout,
      (err: { stdout?: string }) => err.stdout ?? '',
    );
    const findings = (JSON.parse(out || '[]') as { code: string; message: string; path: string[] }[]).map(
      (f) => `${f.code} at ${f.path.join('.')}: ${f.message}`,
    );
    expect(findings).toEqual([]);
  });

  it('documents the answers of the HTTP layer on every operation', () => {
    for (const { method, path, op } of operations(doc)) {
      const statuses = Object.keys(op.responses);
      const expected = ['400', '408', '431', ...(method === 'get' ? [] : ['413', '415'])];
      expect([method, path, expected.filter((s) => !statuses.includes(s))]).toEqual([method, path, []]);
      expect([method, path, typeof op.description]).toEqual([method, path, 'string']);
    }
  });

  it('holds task examples in states a task can be in', () => {
    const task = doc.components.schemas.TaskResponseDto.example as Record<string, unknown>;
    const terminal = ['succeeded', 'failed', 'cancelled', 'dead'].includes(task.status as string);
    expect(terminal).toBe(task.finishedAt !== null);
    if (task.status === 'succeeded') expect([task.error, task.progress]).toEqual([null, 100]);
    if (!terminal) expect([task.result, task.error]).toEqual([null, null]);
    const attempt = doc.components.schemas.TaskAttemptDto.example as Record<string, unknown>;
    expect(attempt.status === 'succeeded' ? attempt.error : null).toBeNull();
  });
});

describe('every request example in /docs', () => {
  const ids: Record<string, string> = {};
  const batches: string[] = [];

  // Their user.process tasks would come due under later specs (and create users there), and the
  // schedules' ticks would create tasks there.
  afterAll(async () => {
    for (const id of batches) await request(h.gateway.url, 'DELETE', `/id-batches/${id}`);
    const { rows } = await h.db.query<{ id: string }>('SELECT id FROM schedules WHERE NOT builtin');
    for (const { id } of rows)
      expect((await request(h.gateway.url, 'DELETE', `/schedules/${id}`)).status).toBe(204);
  });

  beforeAll(async () => {
    // The examples use user 1001 and ada@example.com: a user left by another spec must not refuse them.
    await h.db.query(`DELETE FROM users WHERE id = 1001 OR lower(email) LIKE 'ada%@example.com'`);
    // A task that has not finished (cancellable) and a batch whose tasks all exist (re-plannable).
    const task = await request(h.gateway.url, 'POST', '/tasks', {
      type: 'demo.work',
      payload: { seconds: 0, cpuBound: false },
      delaySeconds: 3600,
    });
    ids['/tasks'] = task.body.id;
    const batch = await request(h.gateway.url, 'POST', '/id-batches', {
      ids: [7, 8],
      rpm: 1,
      startAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    ids['/id-batches'] = batch.body.id;
    batches.push(batch.body.id);
    await waitFor('the batch tasks to exist', async () => {
      const b = await request(h.gateway.url, 'GET', `/id-batches/${batch.body.id}`);
      return b.body.materialized === b.body.total ? true : undefined;
    });
    ids['/users'] = '1001';
    const schedule = await request(h.gateway.url, 'POST', '/schedules', {
      name: 'openapi-spec',
      everySeconds: 3600,
      startAt: new Date(Date.now() + 86_400_000).toISOString(),
      task: { type: 'demo.work', payload: { seconds: 0, cpuBound: false } },
    });
    ids['/schedules'] = schedule.body.id;
  });

  /** The operations whose "Try it out" is pre-filled: a body, or query parameters with examples. */
  function prefilled() {
    return (
      operations(doc)
        .filter(({ op }) => op.requestBody || exampleQuery(doc, op).size > 0)
        .flatMap(({ method, path, op }) => {
          const query = exampleQuery(doc, op).toString();
          const bodies = requestBodies(doc, op);
          return (bodies.length ? bodies : [{ name: 'query', body: undefined }]).map((b) => ({
            method,
            path,
            op,
            query,
            ...b,
          }));
        })
        // Creations first: the operations on /users/{id} act on the user the POST example creates.
        .sort((a, b) => Number(a.path.includes('{')) - Number(b.path.includes('{')))
    );
  }

  it('are each accepted with a success the operation documents', async () => {
    const sent: string[] = [];
    for (const { method, path, op, query, name, body } of prefilled()) {
      const collection = path.split('/{')[0];
      const url = path.replace('{id}', ids[collection] ?? 'unknown') + (query ? `?${query}` : '');
      const res = await request(h.gateway.url, method.toUpperCase(), url, body);
      if (path === '/id-batches' && res.status === 201) batches.push(res.body.id);
      const label = `${method.toUpperCase()} ${path} (${name})`;
      sent.push(label);
      // A login's sample cannot hold a real key: it must be refused as the 401 the operation documents.
      if (path === '/session' && method === 'post') {
        expect([label, res.status, Object.keys(op.responses)]).toEqual([
          label,
          401,
          expect.arrayContaining(['401']),
        ]);
        continue;
      }
      const documented = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect([label, documented.includes(String(res.status)) ? 'accepted' : res.body]).toEqual([
        label,
        'accepted',
      ]);
    }
    // The ones a client is most likely to try: if the filter above lost them, this says so.
    expect(sent).toEqual(
      expect.arrayContaining([
        'POST /tasks (io)',
        'POST /tasks (at)',
        'POST /tasks/batch (two)',
        'PATCH /tasks/{id} (sample)',
        'POST /users (sample)',
        'PUT /users/{id} (sample)',
        'POST /id-batches (list)',
        'PATCH /id-batches/{id} (sample)',
        'GET /conversions (query)',
        'GET /search (query)',
        'POST /events (bet)',
        'POST /events (batch)',
      ]),
    );
  });
});
