import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'amqplib';
import { loadConfig } from '@conveyor/config';
import {
  CasinoEvent,
  EVENT_BATCH_MESSAGE_TYPE,
  EVENT_MESSAGE_TYPE,
  EVENT_TYPES,
  JSON_TYPE,
  PROTOBUF,
  encodeEvents,
} from '@conveyor/events';

const CURRENCIES = ['EUR', 'USD', 'GBP', 'NZD', 'BTC'];
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
const upTo = (max: number) => 1 + Math.floor(Math.random() * max);

/** One event as the source generator makes them: players 10–19, games 100–109, 5 % of bets won. */
export function generateEvent(id: number, at = new Date()): CasinoEvent {
  const type = pick(EVENT_TYPES);
  const event: CasinoEvent = {
    id,
    player_id: 10 + Math.floor(Math.random() * 10),
    type,
    created_at: at.toISOString(),
  };
  if (type !== 'deposit') event.game_id = 100 + Math.floor(Math.random() * 10);
  if (type === 'bet' || type === 'deposit') {
    event.currency = pick(CURRENCIES);
    event.amount = event.currency === 'BTC' ? upTo(100_000) : upTo(2000);
  }
  if (type === 'bet') event.has_won = Math.random() < 0.05;
  return event;
}

/** The body and properties an outside publisher sends: protobuf (or JSON), persistent. */
export function eventMessage(events: CasinoEvent[], batch: boolean, json = false) {
  const body = json
    ? Buffer.from(JSON.stringify(batch ? { events } : events[0]))
    : encodeEvents(events, batch);
  return {
    routingKey: batch ? 'event.batch' : `event.${events[0].type}`,
    body,
    options: {
      persistent: true,
      contentType: json ? JSON_TYPE : PROTOBUF,
      type: batch ? EVENT_BATCH_MESSAGE_TYPE : EVENT_MESSAGE_TYPE,
      messageId: `event-${events[0].id}${batch ? `-${events.length}` : ''}`,
    },
  };
}

/** `npm run events -- --rate 200 --seconds 30 [--batch 100] [--json]`: publishes to conveyor.events. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '30' },
      batch: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const batch = Number(values.batch);
  if (![rate, seconds, batch].every((n) => Number.isInteger(n) && n > 0) || batch > 1000) {
    throw new Error('--rate, --seconds and --batch must be positive integers (--batch at most 1000)');
  }
  const config = loadConfig();
  const connection = await connect(config.amqp.urls[0]);
  const channel = await connection.createConfirmChannel();
  let id = Date.now() * 1000; // unique across runs: ids are the events' identity
  let sent = 0;
  const started = Date.now();
  try {
    for (let tick = 0; tick < seconds * 10; tick++) {
      // Ten rounds a second, each topping up to the events due by then.
      const due = Math.floor((rate * (tick + 1)) / 10);
      while (sent < due) {
        const n = Math.min(batch, due - sent);
        const events = Array.from({ length: n }, () => generateEvent(++id));
        const m = eventMessage(events, batch > 1, values.json);
        channel.publish('conveyor.events', m.routingKey, m.body, m.options);
        sent += n;
      }
      await channel.waitForConfirms();
      await sleep(Math.max(0, started + (tick + 1) * 100 - Date.now()));
    }
  } finally {
    await channel.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
  }
  process.stdout.write(`published ${sent} events in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`events generator failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
