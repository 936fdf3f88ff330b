import { readFileSync, readdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyReply } from 'fastify';
import { z } from 'zod';
import { SIM_MODES, SimMode, loadConfig } from '@conveyor/config';

/**
 * Provider simulator (a dev/test tool): serves the ECB rates and plans fixtures on loopback, with knobs for
 * latency, an error rate and broken answers, and a hit counter. Tests turn the knobs at run time
 * through `PUT /_sim`; `make up` starts it with the PROVIDER_SIM_* settings.
 */
const config = loadConfig();
const FIXTURES = resolve(__dirname, '../fixtures');
const ratesXml = readFileSync(resolve(FIXTURES, 'ecb-rates.xml'), 'utf8');
const eventRatesJson = readFileSync(resolve(FIXTURES, 'events-rates.json'), 'utf8');

/** Plans fixtures by name (`plans-<name>.xml`), plus `generated` (see generatedPlans). */
const plansXml = Object.fromEntries(
  readdirSync(FIXTURES)
    .filter((f) => /^plans-.+\.xml$/.test(f))
    .map((f) => [f.slice('plans-'.length, -'.xml'.length), readFileSync(resolve(FIXTURES, f), 'utf8')]),
);

const state = {
  mode: config.simulator.mode,
  latencyMs: config.simulator.latencyMs,
  errorRate: config.simulator.errorRate,
  plans: 'answer-1',
  generated: { plans: 5000, zones: 200 },
  hits: { rates: 0, plans: 0, eventRates: 0 },
};

const knobs = z
  .object({
    mode: z.enum(SIM_MODES).optional(),
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    errorRate: z.number().min(0).max(1).optional(),
    plans: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .optional(),
    generated: z
      .object({ plans: z.number().int().min(1).max(100_000), zones: z.number().int().min(1).max(1000) })
      .strict()
      .optional(),
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

// Request logs only with LOG_HTTP; start-up failures are reported below either way.
const app = Fastify({ logger: config.log.http ? { level: config.log.level } : false });

app.get('/health', () => ({ status: 'ok' }));

/** Every endpoint's knobs: counts the hit, waits `latencyMs`, fails `errorRate` of the calls. */
async function simulated(endpoint: keyof typeof state.hits, reply: FastifyReply): Promise<boolean> {
  state.hits[endpoint]++;
  if (state.latencyMs > 0) await sleep(state.latencyMs);
  if (Math.random() >= state.errorRate) return true;
  await reply.status(503).type('text/plain').send('simulated provider error');
  return false;
}

app.get('/rates', async (_req, reply) => {
  if (!(await simulated('rates', reply))) return reply;
  const { type, body } = ratesBody(state.mode);
  return reply.type(type).send(body);
});

/** The events rate provider (exchangerate.host's JSON format, BTC included), with the same knobs. */
function eventRatesBody(mode: SimMode): { type: string; body: string } {
  switch (mode) {
    case 'ok':
      return { type: 'application/json', body: eventRatesJson };
    case 'truncated':
      return {
        type: 'application/json',
        body: eventRatesJson.slice(0, Math.floor(eventRatesJson.length / 2)),
      };
    case 'empty':
      return { type: 'application/json', body: '{"success": false, "error": {"code": 104}}' };
    case 'html':
    case 'garbage':
      return ratesBody(mode);
  }
}

app.get('/events-rates', async (_req, reply) => {
  if (!(await simulated('eventRates', reply))) return reply;
  const { type, body } = eventRatesBody(state.mode);
  return reply.type(type).send(body);
});

/** A feed of `plans` online plans with `zones` zones each, streamed so the simulator never holds it. */
function generatedPlans(plans: number, zones: number): Readable {
  return Readable.from(
    (function* () {
      yield '<planList version="1.0"><output>';
      for (let b = 1; b <= plans; b++) {
        // 336 distinct days of 2022, each with about the same number of plans.
        const month = String(1 + (b % 12)).padStart(2, '0');
        const day = String(1 + (Math.floor(b / 12) % 28)).padStart(2, '0');
        let xml =
          `<base_plan base_plan_id="${b}" sell_mode="online" title="Generated plan ${b}">` +
          `<plan plan_start_date="2022-${month}-${day}T20:00:00" plan_end_date="2022-${month}-${day}T22:00:00" ` +
          `plan_id="${b}" sell_from="2021-01-01T00:00:00" sell_to="2022-${month}-${day}T19:00:00" sold_out="false">`;
        for (let z = 1; z <= zones; z++) {
          xml += `<zone zone_id="${z}" capacity="${z % 50}" price="${(10 + ((b * z) % 90)).toFixed(2)}" name="Zone ${z}" numbered="true"/>`;
        }
        yield `${xml}</plan></base_plan>`;
      }
      yield '</output></planList>';
    })(),
  );
}

app.get('/plans', async (_req, reply) => {
  if (!(await simulated('plans', reply))) return reply;
  if (state.mode !== 'ok') {
    const broken = ratesBody(state.mode); // the same broken answers as the rates endpoint
    return reply.type(broken.type).send(broken.body.replace('<gesmes:Envelope', '<planList'));
  }
  if (state.plans === 'generated') {
    return reply.type('application/xml').send(generatedPlans(state.generated.plans, state.generated.zones));
  }
  const xml = plansXml[state.plans];
  if (xml === undefined) return reply.status(404).type('text/plain').send(`no plans fixture ${state.plans}`);
  return reply.type('application/xml').send(xml);
});

app.get('/_sim', () => state);

app.put('/_sim', (req, reply) => {
  const parsed = knobs.safeParse(req.body);
  if (!parsed.success) {
    return reply.status(400).send({ statusCode: 400, error: 'Bad Request', message: parsed.error.message });
  }
  const { resetHits, ...rest } = parsed.data;
  Object.assign(state, rest);
  if (resetHits) state.hits = { rates: 0, plans: 0, eventRates: 0 };
  return state;
});

app.listen({ host: config.simulator.host, port: config.simulator.port }).catch((err: unknown) => {
  process.stderr.write(`provider simulator failed to start: ${String(err)}\n`);
  process.exit(1);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
