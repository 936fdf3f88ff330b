import {
  formatGroupRate,
  parseGroupRate,
  parseMessage,
  statusBatchSchema,
  statusMessageSchema,
  taskMessageSchema,
} from './messages';

const id = '0190f5d8-8c3a-7cc1-9a57-6a0f7e2b8c11';

describe('message parsing', () => {
  it('parses a task message', () => {
    const body = Buffer.from(
      JSON.stringify({ id, type: 'demo.work', priority: 'normal', payload: { a: 1 } }),
    );
    const parsed = parseMessage(taskMessageSchema, body);
    expect(parsed).toEqual({
      ok: true,
      value: { id, type: 'demo.work', priority: 'normal', payload: { a: 1 } },
    });
  });

  it('reports a body that is not JSON', () => {
    expect(parseMessage(taskMessageSchema, Buffer.from('{nope'))).toEqual({
      ok: false,
      problem: 'body is not JSON',
    });
  });

  it('names the bad field of a status message and refuses unknown fields', () => {
    const bad = parseMessage(
      statusMessageSchema,
      Buffer.from(
        JSON.stringify({ taskId: id, attempt: 0, status: 'running', at: new Date().toISOString() }),
      ),
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problem).toMatch(/attempt/);
    const extra = parseMessage(
      statusMessageSchema,
      Buffer.from(
        JSON.stringify({ taskId: id, attempt: 1, status: 'running', at: new Date().toISOString(), x: 1 }),
      ),
    );
    expect(extra.ok).toBe(false);
  });

  it('accepts a batch of reports, never an empty one', () => {
    const report = { taskId: id, attempt: 1, status: 'succeeded', at: new Date().toISOString(), result: 1 };
    expect(
      parseMessage(statusBatchSchema, Buffer.from(JSON.stringify({ reports: [report, report] }))).ok,
    ).toBe(true);
    const empty = parseMessage(statusBatchSchema, Buffer.from(JSON.stringify({ reports: [] })));
    expect(empty.ok).toBe(false);
  });

  it('reads the group rate header back as written, and refuses a malformed one', () => {
    const rate = { group: 'tenant-ü/42', perSecond: 50 };
    expect(parseGroupRate(formatGroupRate(rate))).toEqual(rate);
    expect(parseGroupRate(undefined)).toBeUndefined();
    for (const bad of ['50', '0/x', '-1/x', '100001/x', '50/', '50/has space', 50, Buffer.from('50/x')])
      expect({ bad, rate: parseGroupRate(bad) }).toEqual({ bad, rate: null });
  });
});
