import {
  Delete,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
  Sse,
} from '@nestjs/common';
import { RequireScope } from '@conveyor/access/gateway';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';
import { ApiEventStream, ApiIdempotentCreate, ErrorResponseDto, uuidParam } from '@conveyor/common';
import {
  TaskAttemptListDto,
  TASK_BATCH_EXAMPLES,
  TASK_CREATE_EXAMPLES,
  TaskBatchCreateDto,
  TaskBatchResponseDto,
  TaskCreateDto,
  TaskEvent,
  TaskEventsService,
  TaskListQueryDto,
  TaskListResponseDto,
  TaskResponseDto,
  TaskUpdateDto,
  TasksService,
} from '@conveyor/tasks/gateway';

@ApiTags('tasks')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly events: TaskEventsService,
  ) {}

  @Post()
  @RequireScope('tasks:write')
  @ApiOperation({
    summary: 'Submit a task',
    description: 'Stored with its outbox message in one transaction.',
  })
  @ApiBody({ type: TaskCreateDto, examples: TASK_CREATE_EXAMPLES })
  @ApiIdempotentCreate('task', TaskResponseDto)
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto })
  async create(
    @Body() dto: TaskCreateDto,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskResponseDto> {
    const { task, created } = await this.tasks.create(dto, key);
    void reply.status(created ? 201 : 200);
    return task;
  }

  @Post('batch')
  @RequireScope('tasks:write')
  @ApiOperation({
    summary: 'Submit up to 1,000 tasks in one transaction (all or none)',
    description: 'Each item is what POST /tasks takes; one invalid item refuses the whole batch, naming it.',
  })
  @ApiBody({ type: TaskBatchCreateDto, examples: TASK_BATCH_EXAMPLES })
  @ApiCreatedResponse({ type: TaskBatchResponseDto })
  async createMany(@Body() dto: TaskBatchCreateDto): Promise<{ items: TaskResponseDto[] }> {
    return { items: await this.tasks.createMany(dto.items) };
  }

  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'List tasks, newest first',
    description: 'Filter by status and type; a page is `{items, limit, offset, hasMore}`.',
  })
  @ApiOkResponse({ type: TaskListResponseDto })
  list(@Query() query: TaskListQueryDto): Promise<TaskListResponseDto> {
    return this.tasks.list(query);
  }

  @Get(':id')
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'Get a task',
    description: 'Its status, progress, result or error, attempts and times.',
  })
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id', uuidParam) id: string): Promise<TaskResponseDto> {
    return this.tasks.get(id);
  }

  @Get(':id/attempts')
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'The attempts of a task: number, start, end, outcome, error',
    description: 'Oldest first; a retried or re-run task has one entry per attempt.',
  })
  @ApiOkResponse({ type: TaskAttemptListDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  attempts(@Param('id', uuidParam) id: string): Promise<TaskAttemptListDto> {
    return this.tasks.attempts(id);
  }

  @Sse(':id/events')
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'Live status as server-sent events',
    description:
      'A `status` event with the whole task now, then one at each change (status, progress, attempt); ' +
      'the stream ends after a terminal status.',
  })
  @ApiEventStream(TaskResponseDto, '`status` events, each a task')
  watch(@Param('id', uuidParam) id: string): Promise<Observable<TaskEvent>> {
    return this.events.watch(id);
  }

  @Post(':id/retry')
  @RequireScope('tasks:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run a failed, dead or cancelled task again, as a new attempt',
    description: 'The task goes back to pending with one more attempt allowed; its history stays.',
  })
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The task is not failed, dead or cancelled' })
  rerun(@Param('id', uuidParam) id: string): Promise<TaskResponseDto> {
    return this.tasks.rerun(id);
  }

  @Delete(':id')
  @RequireScope('tasks:write')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a finished task and its attempts',
    description:
      'Succeeded, failed, cancelled or dead. Retention removes finished tasks by age (dead ones only by their own ' +
      'setting); this is how a person removes a dead task they have looked at.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The task has not finished (cancel it first)' })
  async remove(@Param('id', uuidParam) id: string): Promise<void> {
    await this.tasks.remove(id);
  }

  @Patch(':id')
  @RequireScope('tasks:write')
  @ApiOperation({
    summary: 'Cancel a task that has not finished',
    description:
      'A pending or queued task never runs; a running one is told to stop and ends cancelled. ' +
      'The body must be `{"status": "cancelled"}`.',
  })
  @ApiOkResponse({ type: TaskResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The task already finished' })
  cancel(@Param('id', uuidParam) id: string, @Body() _dto: TaskUpdateDto): Promise<TaskResponseDto> {
    return this.tasks.cancel(id);
  }
}
