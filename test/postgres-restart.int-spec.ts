import { allFinished, connectDb, harness, request, stack, waitFor } from './support';

const h = harness();

describe('PostgreSQL restarted under load', () => {
  it('answers 503 while it is down, recovers by itself, and loses no accepted task', async () => {
    const submit = () =>
      request(h.gateway.url, 'POST', '/tasks', {
        type: 'demo.work',
        payload: { seconds: 0.2, cpuBound: false },
      });
    const accepted: string[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await submit();
      expect(res.status).toBe(201);
      accepted.push(res.body.id as string);
    }
    await h.db.end();
    const stoppedAt = Date.now();
    stack('pg-stop');

    const during = await submit();
    expect(during.status).toBe(503);
    expect(during.body.message).toMatch(/database is unavailable/i);
    const health = await request(h.gateway.url, 'GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.details.postgres.status).toBe('down');

    // The outage lasts 3 s while tasks are in flight: their reports must wait, not be lost.
    await new Promise((r) => setTimeout(r, 3000));
    const stillDown = await submit();
    expect(stillDown.status).toBe(503);
    stack('pg-start');
    const restartedAt = Date.now();
    const back = await waitFor(
      'the gateway to accept tasks again',
      async () => {
        const res = await submit();
        return res.status === 201 ? res : undefined;
      },
      60_000,
      200,
    );
    accepted.push(back.body.id as string);
    const recoveredIn = Date.now() - restartedAt;

    h.db = await connectDb(h.env);
    const final = await allFinished(h.db, accepted);
    process.stdout.write(
      `postgres restart: down ${restartedAt - stoppedAt} ms, accepting again ${recoveredIn} ms after restart, ${JSON.stringify(final)}\n`,
    );
    expect(final).toEqual({ succeeded: 101 });
  });
});
