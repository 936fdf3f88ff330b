import { Controller, Get, Headers, HttpCode, Post, Query, Req } from '@nestjs/common';
import { RequireScope } from '@conveyor/access/gateway';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorResponseDto } from '@conveyor/common';
import {
  CasinoEventBatchDto,
  CasinoEventDto,
  EVENT_EXAMPLES,
  EventPublisher,
  EventStats,
  EventsAcceptedDto,
  MaterializedDto,
  RecentEventsDto,
  RecentQueryDto,
} from '@conveyor/events/gateway';

@ApiTags('events')
@ApiExtraModels(CasinoEventDto, CasinoEventBatchDto)
@Controller()
export class EventsController {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly stats: EventStats,
  ) {}

  @Post('events')
  @RequireScope('events:write')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Publish casino events: one, or a batch of up to 1,000',
    description:
      'JSON, or protobuf (casino-event.proto): `application/x-protobuf` holds one CasinoEvent, and ' +
      '`application/x-protobuf; messageType=conveyor.events.v1.CasinoEventBatch` a batch. Every event is ' +
      'checked first: one bad event refuses the request (400 naming it) and nothing is published. 202 once ' +
      'the broker confirmed the message; the events are then enriched and counted asynchronously.',
  })
  @ApiConsumes('application/json', 'application/x-protobuf')
  @ApiBody({
    schema: {
      oneOf: [{ $ref: getSchemaPath(CasinoEventDto) }, { $ref: getSchemaPath(CasinoEventBatchDto) }],
    },
    examples: EVENT_EXAMPLES,
  })
  @ApiAcceptedResponse({ type: EventsAcceptedDto })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: 'The broker did not confirm the message (send the events again: an id is counted once)',
  })
  publish(@Req() req: FastifyRequest, @Headers('content-type') contentType = ''): Promise<EventsAcceptedDto> {
    return this.publisher.publish(req.body, contentType);
  }

  @Get('materialized')
  @RequireScope('events:read')
  @ApiOperation({
    summary: 'Live statistics of the casino event stream',
    description:
      'The same on every gateway (kept in Redis): events counted once each, their rate, the top players.',
  })
  @ApiOkResponse({ type: MaterializedDto })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: 'Redis, which holds them, is unavailable',
  })
  materialized(): Promise<MaterializedDto> {
    return this.stats.read();
  }

  @Get('events/recent')
  @RequireScope('events:read')
  @ApiOperation({
    summary: 'The last enriched events, newest first, as logged',
    description: 'At most 100; each has exactly the keys of the JSON log line.',
  })
  @ApiOkResponse({ type: RecentEventsDto })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: 'Redis, which holds them, is unavailable',
  })
  async recent(@Query() query: RecentQueryDto): Promise<RecentEventsDto> {
    return { items: await this.stats.recent(query.limit) };
  }
}
