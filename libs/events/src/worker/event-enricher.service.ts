import { Injectable, Logger } from '@nestjs/common';
import { AmqpService, Delivery, EVENTS_ENRICHED_ROUTING_KEY, EXCHANGES, QUEUES } from '@conveyor/messaging';
import { ENRICHED_MESSAGE_TYPE, EnrichedFields, EnrichedMessage, EventsError } from '../event';
import { decodeEvents, isBatchMessage } from '../wire';
import { EventRatesService } from './event-rates.service';
import { EventsWorkerMetrics } from './events-worker.metrics';

/**
 * The worker's part of an event: decode, validate, amount in EUR; then hand it to the gateways.
 * The message is acked only once its enriched form is confirmed by the broker, so a worker that
 * dies leaves it to another. What it cannot take goes to the dead-letter queue with the reason.
 */
@Injectable()
export class EventEnricher {
  private readonly logger = new Logger(EventEnricher.name);

  constructor(
    private readonly amqp: AmqpService,
    private readonly rates: EventRatesService,
    private readonly metrics: EventsWorkerMetrics,
  ) {}

  async receive(delivery: Delivery): Promise<void> {
    const receivedAt = Date.now();
    let events: EnrichedFields[];
    try {
      events = await this.enrich(delivery);
    } catch (err) {
      if (!(err instanceof EventsError)) throw err;
      this.metrics.deadLettered.inc({ reason: err.reason });
      this.logger.warn(`event message ${delivery.messageId ?? '(no id)'} dead-lettered: ${err.message}`);
      await this.amqp.deadLetter(delivery, {
        code: err.reason,
        message: err.message,
        queue: QUEUES.eventsEnrich,
      });
      return;
    }
    const body: EnrichedMessage = { events, receivedAt };
    try {
      await this.amqp.publish(EXCHANGES.status, EVENTS_ENRICHED_ROUTING_KEY, body, {
        type: ENRICHED_MESSAGE_TYPE,
        messageId: delivery.messageId,
      });
    } catch (err) {
      // Not handed over: back to the queue, for this worker or another.
      this.logger.warn(`enriched events not published, returned to the queue: ${(err as Error).message}`);
      delivery.nack(true);
      return;
    }
    delivery.ack();
  }

  private async enrich(delivery: Delivery): Promise<EnrichedFields[]> {
    const contentType = (delivery.contentType ?? '').split(';')[0].trim().toLowerCase();
    const events = decodeEvents(delivery.body, contentType, isBatchMessage(delivery.type));
    this.metrics.received.inc(events.length);
    const priced = (e: EnrichedFields) => e.amount !== undefined && e.currency !== undefined;
    const cents = await this.rates.toEurCents(
      events.filter(priced).map((e) => ({ amount: e.amount!, currency: e.currency! })),
    );
    let next = 0;
    return events.map((e) => (priced(e) ? { ...e, amount_eur: cents[next++] } : e));
  }
}
