import { Body, Controller, Delete, Get, Headers, Param, Post, Query, Res, Sse } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { RequireScope } from '@conveyor/access/gateway';
import {
  ApiEventStream,
  ApiIdempotentCreate,
  ErrorResponseDto,
  PageQueryDto,
  uuidParam,
} from '@conveyor/common';
import {
  FLOW_CREATE_EXAMPLES,
  FlowCreateDto,
  FlowDto,
  FlowEvent,
  FlowEventsService,
  FlowListDto,
  FlowsService,
} from '@conveyor/flows/gateway';

@ApiTags('flows')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('flows')
export class FlowsController {
  constructor(
    private readonly flows: FlowsService,
    private readonly events: FlowEventsService,
  ) {}

  @Post()
  @RequireScope('tasks:write')
  @ApiOperation({
    summary: 'Create a flow: up to 1,000 tasks that wait for one another (a DAG)',
    description:
      'One transaction creates the flow and every task. Tasks without dependsOn are published at once; the ' +
      "others are `waiting` until every parent succeeded, then run with their parents' results (ctx.parents). " +
      'A parent that fails, dies or is cancelled cancels its children (onParentFailure: cancel), or they run ' +
      'anyway (ignore). Cycles, unknown and duplicate keys answer 400 naming them.',
  })
  @ApiBody({ type: FlowCreateDto, examples: FLOW_CREATE_EXAMPLES })
  @ApiOkResponse({
    type: FlowDto,
    description: 'The flow an earlier request with this Idempotency-Key created',
  })
  @ApiIdempotentCreate('flow', FlowDto)
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto })
  async create(
    @Body() dto: FlowCreateDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FlowDto> {
    const { flow, created } = await this.flows.create(dto, key);
    void reply.status(created ? 201 : 200);
    return flow;
  }

  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'List flows, newest first',
    description: 'Each with its status and how many of its tasks are in each status.',
  })
  @ApiOkResponse({ type: FlowListDto })
  list(@Query() q: PageQueryDto): Promise<FlowListDto> {
    return this.flows.list(q.limit, q.offset);
  }

  @Get(':id')
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'A flow and its graph',
    description: 'Each task with its key, task id, status, dependencies, startedAt and finishedAt.',
  })
  @ApiOkResponse({ type: FlowDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id', uuidParam) id: string): Promise<FlowDto> {
    return this.flows.get(id);
  }

  @Delete(':id')
  @RequireScope('tasks:write')
  @ApiOperation({
    summary: 'Cancel a flow',
    description:
      'Every task that has not finished is cancelled; running ones are stopped as a task cancel stops them. ' +
      'The flow and its history stay (retention removes it with the tasks).',
  })
  @ApiOkResponse({ type: FlowDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  cancel(@Param('id', uuidParam) id: string): Promise<FlowDto> {
    return this.flows.cancel(id);
  }

  @Sse(':id/events')
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'Live progress of a flow as server-sent events',
    description:
      'A `flow` event with the whole flow now, a `task` event each time a task changes status or attempt, and ' +
      'a last `flow` event (its summary) once every task finished; then the stream ends.',
  })
  @ApiEventStream(FlowDto, '`flow` and `task` events')
  watch(@Param('id', uuidParam) id: string): Promise<Observable<FlowEvent>> {
    return this.events.watch(id);
  }
}
