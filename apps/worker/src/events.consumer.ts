import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { AppConfig } from '@conveyor/config';
import { EventEnricher } from '@conveyor/events/worker';
import { Consume, Delivery, QUEUES } from '@conveyor/messaging';

/** Transport adapter: casino events in, their enriched form out to the gateways. */
@Controller()
export class EventsConsumer {
  constructor(private readonly enricher: EventEnricher) {}

  @Consume(QUEUES.eventsEnrich, { prefetch: (config: AppConfig) => config.events.prefetch })
  enrich(@Payload() delivery: Delivery): Promise<void> {
    return this.enricher.receive(delivery);
  }
}
