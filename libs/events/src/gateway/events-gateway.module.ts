import { Module } from '@nestjs/common';
import { UsersModule } from '@conveyor/users/gateway';
import { EnrichedEventsService } from './enriched-events.service';
import { EventPublisher } from './event-publisher.service';
import { EventStats } from './event-stats';
import { EventsGatewayMetrics } from './events-gateway.metrics';

/** The gateway side of the casino event stream: publishing, finishing enriched events, statistics. */
@Module({
  imports: [UsersModule],
  providers: [EventsGatewayMetrics, EventStats, EventPublisher, EnrichedEventsService],
  exports: [EventStats, EventPublisher, EnrichedEventsService],
})
export class EventsGatewayModule {}
