import { counts, harness, request } from './support';

const h = harness({ worker: false, gatewayEnv: { HTTP_BODY_LIMIT_BYTES: String(64 * 1024) } });

const valid = { type: 'demo.work', payload: { seconds: 0, cpuBound: false } };

interface Case {
  name: string;
  method?: string;
  path?: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  message: RegExp;
}

const cases: Case[] = [
  {
    name: 'unknown task type',
    body: { ...valid, type: 'no.such' },
    status: 400,
    message: /type: unknown task type 'no.such'/,
  },
  { name: 'missing type', body: { payload: valid.payload }, status: 400, message: /type must be a string/ },
  {
    name: 'payload of the wrong type',
    body: { ...valid, payload: 'x' },
    status: 400,
    message: /payload must be an object/,
  },
  {
    name: 'payload field of the wrong type',
    body: { ...valid, payload: { seconds: 'one', cpuBound: false } },
    status: 400,
    message: /payload\.seconds must be a number/,
  },
  {
    name: 'payload field out of range',
    body: { ...valid, payload: { seconds: -1, cpuBound: false } },
    status: 400,
    message: /payload\.seconds must not be less than 0/,
  },
  {
    name: 'missing payload field',
    body: { ...valid, payload: { seconds: 1 } },
    status: 400,
    message: /payload\.cpuBound must be a boolean/,
  },
  {
    name: 'unknown payload field',
    body: { ...valid, payload: { seconds: 1, cpuBound: false, x: 1 } },
    status: 400,
    message: /payload\.x should not exist/,
  },
  {
    name: 'unknown top-level field',
    body: { ...valid, colour: 'red' },
    status: 400,
    message: /property colour should not exist/,
  },
  {
    name: 'wrong priority',
    body: { ...valid, priority: 'urgent' },
    status: 400,
    message: /priority must be one of the following values: high, normal/,
  },
  { name: 'malformed JSON', body: '{"type": "demo.work",', status: 400, message: /not valid JSON/ },
  { name: 'an array instead of an object', body: [valid], status: 400, message: /type must be a string/ },
  {
    name: 'a body over the size limit',
    body: { ...valid, payload: { seconds: 1, cpuBound: false, pad: 'x'.repeat(70 * 1024) } },
    status: 413,
    message: /too large/i,
  },
  {
    name: 'a bad Idempotency-Key',
    body: valid,
    headers: { 'idempotency-key': 'x'.repeat(201) },
    status: 400,
    message: /Idempotency-Key/,
  },
  {
    name: 'both runAt and delaySeconds',
    body: { ...valid, runAt: '2030-01-01T00:00:00Z', delaySeconds: 5 },
    status: 400,
    message: /runAt and delaySeconds: give one of them, not both/,
  },
  {
    name: 'runAt that is not a date-time',
    body: { ...valid, runAt: 'tomorrow' },
    status: 400,
    message: /runAt must be a valid ISO 8601/,
  },
  {
    name: 'runAt more than a year ahead',
    body: { ...valid, runAt: '2999-01-01T00:00:00Z' },
    status: 400,
    message: /runAt: at most 365 days ahead/,
  },
  {
    name: 'negative delaySeconds',
    body: { ...valid, delaySeconds: -1 },
    status: 400,
    message: /delaySeconds must not be less than 0/,
  },
  {
    name: 'maxAttempts above 20',
    body: { ...valid, maxAttempts: 21 },
    status: 400,
    message: /maxAttempts must not be greater than 20/,
  },
  {
    name: 'attempts to fail out of range',
    body: { ...valid, payload: { seconds: 0, cpuBound: false, failAttempts: 99 } },
    status: 400,
    message: /payload\.failAttempts must not be greater than 20/,
  },
  {
    name: 'a batch of more than 1,000 tasks',
    path: '/tasks/batch',
    body: { items: Array.from({ length: 1001 }, () => valid) },
    status: 400,
    message: /items: at most 1000 tasks per batch/,
  },
  {
    name: 'an empty batch',
    path: '/tasks/batch',
    body: { items: [] },
    status: 400,
    message: /items must contain at least 1 elements/,
  },
  {
    name: 'a batch with one bad item',
    path: '/tasks/batch',
    body: { items: [valid, { ...valid, payload: { seconds: 1, cpuBound: 'yes' } }, valid] },
    status: 400,
    message: /items\[1\]\.payload\.cpuBound must be a boolean/,
  },
  {
    name: 'a batch item with an unknown field',
    path: '/tasks/batch',
    body: { items: [{ ...valid, extra: true }] },
    status: 400,
    message: /items\.0\.property extra should not exist/,
  },
  {
    name: 'limit above 100',
    method: 'GET',
    path: '/tasks?limit=101',
    status: 400,
    message: /limit must not be greater than 100/,
  },
  {
    name: 'limit below 1',
    method: 'GET',
    path: '/tasks?limit=0',
    status: 400,
    message: /limit must not be less than 1/,
  },
  {
    name: 'limit not a number',
    method: 'GET',
    path: '/tasks?limit=ten',
    status: 400,
    message: /limit must be an integer/,
  },
  {
    name: 'negative offset',
    method: 'GET',
    path: '/tasks?offset=-1',
    status: 400,
    message: /offset must not be less than 0/,
  },
  {
    name: 'unknown status filter',
    method: 'GET',
    path: '/tasks?status=done',
    status: 400,
    message: /status must be one of the following values/,
  },
  {
    name: 'unknown query parameter',
    method: 'GET',
    path: '/tasks?sort=asc',
    status: 400,
    message: /property sort should not exist/,
  },
  {
    name: 'id that is not a UUID',
    method: 'GET',
    path: '/tasks/42',
    status: 400,
    message: /id must be a UUID/,
  },
  {
    name: 'cancel with a bad body',
    method: 'PATCH',
    path: '/tasks/01900000-0000-7000-8000-000000000000',
    body: { status: 'cancelled', why: 1 },
    status: 400,
    message: /property why should not exist/,
  },
];

describe('bad input', () => {
  it.each(cases)('$name → $status, naming the problem, nothing written', async (c) => {
    const before = await counts(h.db);
    const res = await request(h.gateway.url, c.method ?? 'POST', c.path ?? '/tasks', c.body, c.headers);
    expect(res.status).toBe(c.status);
    expect(res.body).toMatchObject({ statusCode: c.status, error: expect.any(String) });
    expect(res.body.message).toMatch(c.message);
    expect(await counts(h.db)).toEqual(before);
  });

  it('still accepts a valid task afterwards', async () => {
    const before = await counts(h.db);
    const res = await request(h.gateway.url, 'POST', '/tasks', valid);
    expect(res.status).toBe(201);
    expect((await counts(h.db)).tasks).toBe(before.tasks + 1);
  });

  it('serves the API description with every endpoint', async () => {
    const doc = await request(h.gateway.url, 'GET', '/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/tasks', '/tasks/{id}', '/health', '/metrics']),
    );
    expect(doc.body.components.schemas.TaskCreateDto.properties.payload).toBeDefined();
    const ui = await fetch(`${h.gateway.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/swagger/i);
  });
});
