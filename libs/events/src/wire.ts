import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampDate, timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  CasinoEvent,
  EVENT_BATCH_MAX,
  EVENT_BATCH_MESSAGE_TYPE,
  EVENT_MESSAGE_TYPE,
  EventsError,
  JSON_TYPE,
  PROTOBUF,
  RawEvent,
  validateEvent,
} from './event';
import {
  CasinoEventBatchSchema,
  CasinoEventSchema,
  type CasinoEvent as WireEvent,
} from './gen/casino-event_pb';

/** The protobuf message name a batch body declares in its content type (`messageType=`). */
export const BATCH_PROTO_NAME = CasinoEventBatchSchema.typeName;

function fromWire(e: WireEvent): RawEvent {
  return {
    id: e.id,
    player_id: e.playerId,
    game_id: e.gameId,
    type: e.type,
    // proto3 has no presence for scalars: a missing amount reads 0, a missing currency ''.
    amount: e.amount,
    currency: e.currency,
    has_won: e.hasWon,
    created_at: e.createdAt ? timestampDate(e.createdAt).toISOString() : undefined,
  };
}

function toWire(e: CasinoEvent) {
  return create(CasinoEventSchema, {
    id: BigInt(e.id),
    playerId: BigInt(e.player_id),
    gameId: BigInt(e.game_id ?? 0),
    type: e.type,
    amount: BigInt(e.amount ?? 0),
    currency: e.currency ?? '',
    hasWon: e.has_won ?? false,
    createdAt: timestampFromDate(new Date(e.created_at)),
  });
}

/** The canonical wire form: one CasinoEvent, or a CasinoEventBatch of several. */
export function encodeEvents(events: CasinoEvent[], batch: boolean): Buffer {
  const bytes = batch
    ? toBinary(CasinoEventBatchSchema, create(CasinoEventBatchSchema, { events: events.map(toWire) }))
    : toBinary(CasinoEventSchema, toWire(events[0]));
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function decodeRaw(body: Buffer, contentType: string, batch: boolean): RawEvent[] {
  if (contentType === PROTOBUF) {
    try {
      return batch
        ? fromBinary(CasinoEventBatchSchema, body).events.map(fromWire)
        : [fromWire(fromBinary(CasinoEventSchema, body))];
    } catch (err) {
      throw new EventsError(
        'UNDECODABLE',
        `not a protobuf ${batch ? 'CasinoEventBatch' : 'CasinoEvent'}: ${(err as Error).message}`,
      );
    }
  }
  if (contentType === JSON_TYPE) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new EventsError('UNDECODABLE', 'not JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new EventsError('UNDECODABLE', 'a JSON object is required');
    }
    if (!batch) return [parsed];
    const events = (parsed as { events?: unknown }).events;
    if (!Array.isArray(events)) throw new EventsError('INVALID_EVENT', 'events: an array is required');
    return events.map((e) => (typeof e === 'object' && e !== null ? (e as RawEvent) : {}));
  }
  throw new EventsError(
    'UNSUPPORTED_CONTENT_TYPE',
    `content type ${JSON.stringify(contentType)}: ${PROTOBUF} or ${JSON_TYPE} only`,
  );
}

/**
 * The events of one message or request body, validated: `batch` says whether it holds a
 * CasinoEventBatch (`{events: [...]}` in JSON). Throws EventsError naming what is wrong.
 */
export function decodeEvents(body: Buffer, contentType: string, batch: boolean): CasinoEvent[] {
  const raw = decodeRaw(body, contentType, batch);
  if (raw.length === 0) throw new EventsError('INVALID_EVENT', 'events: at least one event is required');
  if (raw.length > EVENT_BATCH_MAX) {
    throw new EventsError('INVALID_EVENT', `events: at most ${EVENT_BATCH_MAX} in one message`);
  }
  return raw.map((e, i) => validateEvent(e, batch ? `events[${i}].` : ''));
}

/** A message's `type` property: one event, a batch, or (EventsError) neither. */
export function isBatchMessage(type: string | undefined): boolean {
  if (type === EVENT_MESSAGE_TYPE) return false;
  if (type === EVENT_BATCH_MESSAGE_TYPE) return true;
  throw new EventsError(
    'UNKNOWN_MESSAGE_TYPE',
    `message type ${JSON.stringify(type ?? null)}: ${EVENT_MESSAGE_TYPE} or ${EVENT_BATCH_MESSAGE_TYPE} only`,
  );
}
