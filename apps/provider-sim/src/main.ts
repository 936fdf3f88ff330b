import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { z } from 'zod';
import { SIM_MODES, SimMode, loadConfig } from '@conveyor/config';

/**
 * Provider simulator (a dev/test tool): serves the ECB rates fixture on loopback, with knobs for
 * latency, an error rate and broken answers, and a hit counter. Tests turn the knobs at run time
 * through `PUT /_sim`; `make up` starts it with the PROVIDER_SIM_* settings.
 */
const config = loadConfig();
const FIXTURES = resolve(__dirname, '../fixtures');
const ratesXml = readFileSync(resolve(FIXTURES, 'ecb-rates.xml'), 'utf8');

const state = {
  mode: config.simulator.mode,
  latencyMs: config.simulator.latencyMs,
  errorRate: config.simulator.errorRate,
  hits: { rates: 0 },
};

const knobs = z
  .object({
    mode: z.enum(SIM_MODES).optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    errorRate: z.number().min(0).max(1).optional(),
    resetHits: z.boolean().optional(),
  })
  .strict();

/** What each mode answers instead of the fixture. */
function ratesBody(mode: SimMode): { type: string; body: string } {
  switch (mode) {
    case 'ok':
      return { type: 'application/xml', body: ratesXml };
    case 'html':
      return { type: 'text/html', body: '<html><body><h1>Maintenance</h1><p>Back soon.</p></body></html>' };
    case 'truncated':
      return { type: 'application/xml', body: ratesXml.slice(0, Math.floor(ratesXml.length / 2)) };
    case 'empty':
      return {
        type: 'application/xml',
        body: ratesXml.replace(/\s*<Cube currency="[^"]*" rate="[^"]*"\/>/g, ''),
      };
    case 'garbage':
      return { type: 'application/octet-stream', body: '\u0000\u0001 not xml at all \u00ff' };
  }
}

const app = Fastify({ logger: { level: config.log.level }, disableRequestLogging: !config.log.http });

app.get('/health', () => ({ status: 'ok' }));

app.get('/rates', async (_req, reply) => {
  state.hits.rates++;
  if (state.latencyMs > 0) await sleep(state.latencyMs);
  if (Math.random() < state.errorRate) {
    return reply.status(503).type('text/plain').send('simulated provider error');
  }
  const { type, body } = ratesBody(state.mode);
  return reply.type(type).send(body);
});

app.get('/_sim', () => state);

app.put('/_sim', (req, reply) => {
  const parsed = knobs.safeParse(req.body);
  if (!parsed.success) {
    return reply.status(400).send({ statusCode: 400, error: 'Bad Request', message: parsed.error.message });
  }
  const { resetHits, ...rest } = parsed.data;
  Object.assign(state, rest);
  if (resetHits) state.hits = { rates: 0 };
  return state;
});

app.listen({ host: config.simulator.host, port: config.simulator.port }).catch((err: unknown) => {
  process.stderr.write(`provider simulator failed to start: ${String(err)}\n`);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
