import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScope } from '@conveyor/access/gateway';
import { ErrorResponseDto, PageQueryDto, uuidParam } from '@conveyor/common';
import {
  ScheduleCreateDto,
  ScheduleDetailDto,
  ScheduleDto,
  ScheduleListDto,
  SchedulePatchDto,
  Scheduler,
  SchedulesService,
} from '@conveyor/schedules/gateway';

const TASK = { type: 'demo.work', payload: { seconds: 1, cpuBound: false } };
const CREATE_EXAMPLES = {
  cron: {
    summary: 'Every night at 02:30, Madrid time',
    value: { name: 'nightly-report', cron: '0 30 2 * * *', timezone: 'Europe/Madrid', task: TASK },
  },
  every: {
    summary: 'Every 5 minutes, never two at once, all missed ticks after downtime',
    value: { name: 'poll-partner', everySeconds: 300, overlap: 'skip', catchUp: 'all', task: TASK },
  },
};
const PATCH_EXAMPLES = {
  pause: { summary: 'Pause it (false resumes)', value: { paused: true } },
  every: { summary: 'Every 10 minutes instead', value: { everySeconds: 600 } },
};

@ApiTags('schedules')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('schedules')
export class SchedulesController {
  constructor(
    private readonly schedules: SchedulesService,
    private readonly scheduler: Scheduler,
  ) {}

  @Post()
  @RequireScope('tasks:write')
  @ApiOperation({
    summary: 'Create a schedule: a task of any type at every tick of a cron expression or interval',
    description:
      'Each tick creates exactly one task, whatever the number of gateways: the tick is claimed in PostgreSQL ' +
      'with its task and outbox message. overlap skip (default): no task while the last one has not finished. ' +
      'catchUp after downtime: none, latest (default) or all missed ticks.',
  })
  @ApiBody({ type: ScheduleCreateDto, examples: CREATE_EXAMPLES })
  @ApiCreatedResponse({ type: ScheduleDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A schedule with this name exists' })
  async create(@Body() dto: ScheduleCreateDto): Promise<ScheduleDto> {
    const schedule = await this.schedules.create(dto);
    this.scheduler.wake();
    return schedule;
  }

  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({ summary: 'List schedules by name', description: 'The built-in plans sync included.' })
  @ApiOkResponse({ type: ScheduleListDto })
  list(@Query() q: PageQueryDto): Promise<ScheduleListDto> {
    return this.schedules.list(q.limit, q.offset);
  }

  @Get(':id')
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'A schedule, its next 5 fire times and its last 20 runs',
    description: 'Each run has its fire time, its task id, and whether it created, skipped or missed it.',
  })
  @ApiOkResponse({ type: ScheduleDetailDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id', uuidParam) id: string): Promise<ScheduleDetailDto> {
    return this.schedules.get(id);
  }

  @Patch(':id')
  @RequireScope('tasks:write')
  @ApiOperation({
    summary: 'Change a schedule, or pause (paused: true) and resume it',
    description:
      'Ticks are counted again from now: a resumed schedule does not run what it missed while paused.',
  })
  @ApiBody({ type: SchedulePatchDto, examples: PATCH_EXAMPLES })
  @ApiOkResponse({ type: ScheduleDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The name is taken, or a built-in schedule' })
  async update(@Param('id', uuidParam) id: string, @Body() dto: SchedulePatchDto): Promise<ScheduleDto> {
    const schedule = await this.schedules.update(id, dto);
    this.scheduler.wake();
    return schedule;
  }

  @Delete(':id')
  @RequireScope('tasks:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a schedule', description: 'Its tasks stay; its runs go with it.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A built-in schedule (pause it instead)' })
  async delete(@Param('id', uuidParam) id: string): Promise<void> {
    await this.schedules.delete(id);
  }
}
