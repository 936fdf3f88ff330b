import { BeforeApplicationShutdown, Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ApiExcludeController } from '@nestjs/swagger';
import type { AppConfig } from '@conveyor/config';
import { EnrichedEventsService } from '@conveyor/events/gateway';
import { AmqpService, Consume, Delivery, QUEUES } from '@conveyor/messaging';

/** How long shutdown waits for received events to be finished (longer if a store is down). */
const SHUTDOWN_GRACE_MS = 5000;

/** Transport adapter: enriched casino events in (competing with the other gateways). */
// A message controller: Nest's Swagger module would list its payload class as an HTTP schema.
@ApiExcludeController()
@Controller()
export class EventsConsumer implements BeforeApplicationShutdown {
  constructor(
    private readonly amqp: AmqpService,
    private readonly enriched: EnrichedEventsService,
  ) {}

  @Consume(QUEUES.eventsEnriched, { prefetch: (config: AppConfig) => config.events.enrichedPrefetch })
  finish(@Payload() delivery: Delivery): Promise<void> {
    return this.enriched.receive(delivery);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.amqp.stopConsuming();
    await this.enriched.drain(SHUTDOWN_GRACE_MS);
  }
}
