import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import { Batcher, untilDone } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { Delivery, parseOrDeadLetter } from '@conveyor/messaging';
import { PlayerRow, UsersService } from '@conveyor/users/gateway';
import { EVENT_TYPES, EnrichedFields, EnrichedMessage, LoggedEvent } from '../event';
import { describeEvent } from './description';
import { EventStats } from './event-stats';
import { EventsGatewayMetrics } from './events-gateway.metrics';

const int = z.number().int().nonnegative();
const enrichedSchema: z.ZodType<EnrichedMessage> = z.object({
  receivedAt: z.number(),
  events: z
    .array(
      z.object({
        id: int.positive(),
        player_id: int.positive(),
        game_id: int.optional(),
        type: z.enum(EVENT_TYPES),
        amount: int.optional(),
        currency: z.string().optional(),
        has_won: z.boolean().optional(),
        created_at: z.string(),
        amount_eur: int.optional(),
      }),
    )
    .min(1),
});

interface Received {
  delivery: Delivery;
  message: EnrichedMessage;
}

/** The contract's key order for a logged event. */
function logged(e: EnrichedFields, player: PlayerRow | undefined): LoggedEvent {
  const out: Partial<LoggedEvent> = { id: e.id, player_id: e.player_id };
  if (e.game_id !== undefined) out.game_id = e.game_id;
  out.type = e.type;
  if (e.amount !== undefined) out.amount = e.amount;
  if (e.currency !== undefined) out.currency = e.currency;
  if (e.has_won !== undefined) out.has_won = e.has_won;
  out.created_at = e.created_at;
  if (e.amount_eur !== undefined) out.amount_eur = e.amount_eur;
  out.player = {
    email: player?.email ?? '',
    last_signed_in_at: player?.lastSignedInAt ? player.lastSignedInAt.toISOString() : null,
  };
  out.description = describeEvent(e, player ? player.email : null);
  return out as LoggedEvent;
}

/**
 * The gateway's part of an event: the player (one query per batch, never cached), the
 * description, the statistics, the recent list and the log line. A batch is acked once all of
 * that is done; while PostgreSQL or Redis is down it waits, unacked, and is finished when they
 * return (on shutdown it is left to the broker, which hands it to another gateway).
 */
@Injectable()
export class EnrichedEventsService {
  private readonly logger = new Logger(EnrichedEventsService.name);
  private readonly batcher: Batcher<Received>;
  private readonly stopping = new AbortController();
  private readonly missingLogged = new Map<number, number>();

  constructor(
    private readonly users: UsersService,
    private readonly stats: EventStats,
    private readonly metrics: EventsGatewayMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const { enrichedPrefetch, enrichedBatchMs } = config.events;
    this.batcher = new Batcher<Received>(
      Math.max(1, Math.floor(enrichedPrefetch / 2)),
      enrichedBatchMs,
      (batch) => this.finish(batch),
      2,
    );
  }

  receive(delivery: Delivery): Promise<void> {
    const message = parseOrDeadLetter(delivery, enrichedSchema, 'enriched event message', this.logger);
    if (message) this.batcher.push({ delivery, message });
    return Promise.resolve();
  }

  /** On shutdown: finishes what was received, for up to `graceMs`; the rest is redelivered. */
  async drain(graceMs: number): Promise<void> {
    const drained = this.batcher.drain();
    await Promise.race([
      drained,
      sleep(graceMs, undefined, { signal: this.stopping.signal }).catch(() => undefined),
    ]);
    this.stopping.abort();
    await drained;
  }

  private async finish(batch: Received[]): Promise<void> {
    const events = batch.flatMap((b) => b.message.events);
    const ids = [...new Set(events.map((e) => e.player_id))];
    const players = await this.untilDone('reading the players', () => this.users.players(ids));
    if (!players) return;
    const byId = new Map(players.map((p) => [p.id, p]));
    const missing = ids.filter((id) => !byId.has(id));
    this.metrics.playerLookups.inc({ found: 'yes' }, ids.length - missing.length);
    this.metrics.playerLookups.inc({ found: 'no' }, missing.length);
    this.noteMissing(missing);
    const finished = events.map((e) => logged(e, byId.get(e.player_id)));
    const lines = finished.map((e) => JSON.stringify(e));
    const counted = await this.untilDone('counting the events', () => this.stats.count(finished, lines));
    if (!counted) return;
    if (this.config.events.log) {
      const fresh = lines.filter((_, i) => counted.has(i));
      if (fresh.length) process.stdout.write(`${fresh.join('\n')}\n`);
    }
    const now = Date.now();
    for (const { delivery, message } of batch) {
      this.metrics.latency.observe((now - message.receivedAt) / 1000);
      delivery.ack();
    }
    this.metrics.enriched.inc({ outcome: 'counted' }, counted.size);
    this.metrics.enriched.inc({ outcome: 'duplicate' }, finished.length - counted.size);
  }

  /** Logs each missing player at most once a minute (a stream names the same ones again and again). */
  private noteMissing(ids: number[]): void {
    const now = Date.now();
    const fresh = ids.filter((id) => (this.missingLogged.get(id) ?? 0) < now - 60_000);
    if (!fresh.length) return;
    fresh.forEach((id) => this.missingLogged.set(id, now));
    if (this.missingLogged.size > 10_000) this.missingLogged.clear();
    this.logger.log(`players missing, their events get an empty player: ${fresh.join(', ')}`);
  }

  private untilDone<T>(what: string, work: () => Promise<T>): Promise<T | undefined> {
    return untilDone(work, this.stopping.signal, (err, wait) =>
      this.logger.warn(`${what} failed, retrying in ${wait} ms: ${(err as Error).message}`),
    );
  }
}
