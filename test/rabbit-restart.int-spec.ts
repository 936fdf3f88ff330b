import { allFinished, harness, request, stack } from './support';

const h = harness();

describe('RabbitMQ restarted while tasks are in flight', () => {
  it('brings every accepted task to a terminal state without help', async () => {
    const ids: string[] = [];
    const submit = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const res = await request(h.gateway.url, 'POST', '/tasks', {
          type: 'demo.work',
          payload: { seconds: 0.3, cpuBound: i % 10 === 0 },
        });
        expect(res.status).toBe(201);
        ids.push(res.body.id as string);
      }
    };
    await submit(150);
    const started = Date.now();
    stack('rabbit-stop');
    // Accepted while the broker is down: they wait in the outbox.
    await submit(50);
    stack('rabbit-start');
    const downFor = Date.now() - started;

    const recovered = Date.now();
    const final = await allFinished(h.db, ids);
    process.stdout.write(
      `rabbit restart: ${ids.length} tasks, broker down ${downFor} ms, all terminal ${Date.now() - recovered} ms after restart: ${JSON.stringify(final)}\n`,
    );
    expect(final).toEqual({ succeeded: 200 });

    const health = await request(h.gateway.url, 'GET', '/health');
    expect(health.body.info.rabbitmq.status).toBe('up');
    const workerHealth = await request(h.worker!.url, 'GET', '/health');
    expect(workerHealth.body.info.rabbitmq.status).toBe('up');
  });
});
