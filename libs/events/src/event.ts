import { AppError } from '@conveyor/common';
import { findCurrency } from '@conveyor/contracts';

/** The casino event contract (casino-events.md): types, games, minor units, validation. */
export const EVENT_TYPES = ['game_start', 'bet', 'deposit', 'game_stop'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** AMQP `type` of a message holding one CasinoEvent, or a CasinoEventBatch. */
export const EVENT_MESSAGE_TYPE = 'casino.event';
export const EVENT_BATCH_MESSAGE_TYPE = 'casino.event.batch';
export const PROTOBUF = 'application/x-protobuf';
export const JSON_TYPE = 'application/json';
/** Events in one batch message or one POST /events. */
export const EVENT_BATCH_MAX = 1000;

export const GAMES: Readonly<Record<number, string>> = {
  100: 'Rocket Dice',
  101: "It's bananas!",
  102: 'Wild Spin',
  103: 'Book of Dead',
  104: 'Pirate Jackpots',
  105: 'Western Gold 2',
  106: 'Super Rainbow Megaways',
  107: '#BarsAndBells',
  108: 'Fortune Three',
  109: 'ChilliPop',
};

/** An event as the contract defines it; fields that do not apply to its type are absent. */
export interface CasinoEvent {
  id: number;
  player_id: number;
  game_id?: number;
  type: EventType;
  amount?: number;
  currency?: string;
  has_won?: boolean;
  /** ISO 8601 UTC. */
  created_at: string;
}

/** What a worker hands the gateway: the event and what needed the rate table. */
export interface EnrichedFields extends CasinoEvent {
  amount_eur?: number;
}

/** What the gateway logs and lists: exactly the contract's keys. */
export interface LoggedEvent extends EnrichedFields {
  player: { email: string; last_signed_in_at: string | null };
  description: string;
}

/** Why an event or a message is refused (the dead letter's `x-conveyor-rejection` code). */
export type RejectionCode =
  | 'UNSUPPORTED_CONTENT_TYPE'
  | 'UNKNOWN_MESSAGE_TYPE'
  | 'UNDECODABLE'
  | 'INVALID_EVENT'
  | 'UNKNOWN_CURRENCY'
  | 'RATES_UNAVAILABLE'
  /** A store or the broker did not answer (over HTTP: 503). */
  | 'UNAVAILABLE';

/** The events area's error: `reason` is the dead letter's code; over HTTP a 400, or a 503 when something was unavailable. */
export class EventsError extends AppError {
  constructor(
    readonly reason: RejectionCode,
    message: string,
  ) {
    super(reason === 'RATES_UNAVAILABLE' || reason === 'UNAVAILABLE' ? 'UNAVAILABLE' : 'VALIDATION', message);
  }
}

/** Decimals of an amount in this currency: BTC 8 (satoshi), else ISO 4217 (2 when unknown). */
export function minorUnits(currency: string): number {
  if (currency === 'BTC') return 8;
  return findCurrency(currency)?.minorUnits ?? 2;
}

/** The fields of a decoded message, before validation: protobuf and JSON both land here. */
export interface RawEvent {
  id?: unknown;
  player_id?: unknown;
  game_id?: unknown;
  type?: unknown;
  amount?: unknown;
  currency?: unknown;
  has_won?: unknown;
  created_at?: unknown;
}

const CURRENCY = /^[A-Z]{3,5}$/;
const FIELDS = new Set(['id', 'player_id', 'game_id', 'type', 'amount', 'currency', 'has_won', 'created_at']);

/** A non-negative safe integer from a number, a bigint (protobuf int64) or decimal digits (JSON int64). */
function integer(value: unknown): number | undefined {
  if (typeof value === 'bigint')
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= 0n ? Number(value) : undefined;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) value = Number(value);
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Checks one event against the contract and returns it with only the fields its type has.
 * `where` prefixes the message (`events[3].`), so a refusal names the field.
 */
export function validateEvent(raw: RawEvent, where = ''): CasinoEvent {
  const bad = (message: string) => new EventsError('INVALID_EVENT', `${where}${message}`);
  const unknown = Object.keys(raw).find((k) => !FIELDS.has(k));
  if (unknown !== undefined) throw bad(`${unknown}: not a field of a casino event`);
  const id = integer(raw.id);
  if (!id) throw bad('id: a positive integer is required');
  const type = raw.type;
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    throw bad(`type: must be one of ${EVENT_TYPES.join(', ')}`);
  }
  const player = integer(raw.player_id);
  if (!player) throw bad('player_id: a positive integer is required');
  const created = typeof raw.created_at === 'string' ? new Date(raw.created_at) : undefined;
  if (!created || Number.isNaN(created.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(raw.created_at as string)) {
    throw bad('created_at: an ISO 8601 date-time is required');
  }
  const event: CasinoEvent = {
    id,
    player_id: player,
    type: type as EventType,
    created_at: created.toISOString(),
  };
  if (type !== 'deposit') {
    const game = raw.game_id === undefined ? 0 : integer(raw.game_id);
    if (game === undefined) throw bad('game_id: must be a non-negative integer');
    event.game_id = game;
  }
  if (type === 'bet' || type === 'deposit') {
    if (raw.amount === undefined || raw.amount === null) throw bad(`amount: required for a ${type}`);
    const amount = integer(raw.amount);
    if (amount === undefined)
      throw bad('amount: must be a non-negative integer (smallest unit of the currency)');
    if (typeof raw.currency !== 'string' || raw.currency === '')
      throw bad(`currency: required for a ${type}`);
    if (!CURRENCY.test(raw.currency)) throw bad('currency: must be an upper-case code like EUR or BTC');
    event.amount = amount;
    event.currency = raw.currency;
  }
  if (type === 'bet') {
    if (raw.has_won !== undefined && typeof raw.has_won !== 'boolean')
      throw bad('has_won: must be a boolean');
    event.has_won = raw.has_won === true;
  }
  return event;
}

/** AMQP `type` of what a worker publishes to conveyor.events.enriched. */
export const ENRICHED_MESSAGE_TYPE = 'casino.event.enriched';

/** The body of an enriched message: the events of one incoming message, and when a worker took it. */
export interface EnrichedMessage {
  events: EnrichedFields[];
  /** Epoch ms: the enrichment latency is measured from here to the gateway's count. */
  receivedAt: number;
}
