import { Injectable } from '@nestjs/common';
import { AmqpService, EXCHANGES } from '@conveyor/messaging';
import {
  CasinoEvent,
  EVENT_BATCH_MAX,
  EVENT_BATCH_MESSAGE_TYPE,
  EVENT_MESSAGE_TYPE,
  EventsError,
  PROTOBUF,
  RawEvent,
  validateEvent,
} from '../event';
import { BATCH_PROTO_NAME, decodeEvents, encodeEvents } from '../wire';
import { EventsGatewayMetrics } from './events-gateway.metrics';

export interface PublishedEvents {
  accepted: number;
  ids: number[];
}

/** `messageType=conveyor.events.v1.CasinoEventBatch` in a protobuf content type: a batch. */
function declaresBatch(contentType: string): boolean {
  const match = /;\s*messagetype\s*=\s*"?([\w.]+)"?/i.exec(contentType);
  if (match && match[1] !== BATCH_PROTO_NAME && match[1] !== 'conveyor.events.v1.CasinoEvent') {
    throw new EventsError(
      'UNKNOWN_MESSAGE_TYPE',
      `messageType ${match[1]}: CasinoEvent or ${BATCH_PROTO_NAME} only`,
    );
  }
  return match?.[1] === BATCH_PROTO_NAME;
}

/**
 * `POST /events`: the events of a body (protobuf or JSON, one event or a batch), validated, then
 * published as one persistent protobuf message, exactly as an outside publisher would. Answers
 * once the broker confirmed it; nothing is published when any event is refused.
 */
@Injectable()
export class EventPublisher {
  constructor(
    private readonly amqp: AmqpService,
    private readonly metrics: EventsGatewayMetrics,
  ) {}

  async publish(body: unknown, contentType: string): Promise<PublishedEvents> {
    const { events, batch } = Buffer.isBuffer(body) ? fromProtobuf(body, contentType) : fromJson(body);
    const routingKey = batch ? 'event.batch' : `event.${events[0].type}`;
    try {
      await this.amqp.publish(EXCHANGES.events, routingKey, encodeEvents(events, batch), {
        contentType: PROTOBUF,
        type: batch ? EVENT_BATCH_MESSAGE_TYPE : EVENT_MESSAGE_TYPE,
      });
    } catch (err) {
      // Not confirmed: the client may send them again (an event id is counted once).
      throw new EventsError(
        'UNAVAILABLE',
        `the broker did not confirm the events: ${(err as Error).message}`,
      );
    }
    this.metrics.published.inc({ via: 'http' }, events.length);
    return { accepted: events.length, ids: events.map((e) => e.id) };
  }
}

function fromProtobuf(body: Buffer, contentType: string): { events: CasinoEvent[]; batch: boolean } {
  const batch = declaresBatch(contentType);
  return { events: decodeEvents(body, PROTOBUF, batch), batch };
}

function fromJson(body: unknown): { events: CasinoEvent[]; batch: boolean } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new EventsError('INVALID_EVENT', 'body: an event, or {"events": [...]}, is required');
  }
  const list = (body as { events?: unknown }).events;
  if (list === undefined) return { events: [validateEvent(body)], batch: false };
  if (!Array.isArray(list) || list.length === 0) {
    throw new EventsError('INVALID_EVENT', 'events: a non-empty array is required');
  }
  if (list.length > EVENT_BATCH_MAX)
    throw new EventsError('INVALID_EVENT', `events: at most ${EVENT_BATCH_MAX}`);
  const events = list.map((e: unknown, i) =>
    validateEvent(typeof e === 'object' && e !== null ? (e as RawEvent) : {}, `events[${i}].`),
  );
  return { events, batch: true };
}
