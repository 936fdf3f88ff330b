import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScope } from '@conveyor/access/gateway';
import { ErrorResponseDto } from '@conveyor/common';
import {
  DeadLetterDto,
  DeadLetterFilterDto,
  DeadLetterListDto,
  DeadLetterListQueryDto,
  DeadLetterReplayDto,
  DeadLettersError,
  DeadLettersService,
  DiscardResultDto,
  ReplayResultDto,
} from '@conveyor/dead-letters/gateway';

@ApiTags('dead-letters')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('dead-letters')
export class DeadLettersController {
  constructor(private readonly letters: DeadLettersService) {}

  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'List dead letters',
    description:
      'Every message dead-lettered anywhere (a task or an event, well-formed or not), newest first, without ' +
      'bodies; filter by ids, queue, reason and the time the gateway received it.',
  })
  @ApiOkResponse({ type: DeadLetterListDto })
  list(@Query() q: DeadLetterListQueryDto): Promise<DeadLetterListDto> {
    return this.letters.list(q);
  }

  @Get(':id')
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'One dead letter, with its body',
    description: 'The body as stored, in base64: at most 64 KiB (`truncated` says when it was cut).',
  })
  @ApiParam({ name: 'id', example: '17' })
  @ApiOkResponse({ type: DeadLetterDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id') id: string): Promise<DeadLetterDto> {
    if (!/^[1-9][0-9]{0,17}$/.test(id))
      throw new DeadLettersError('VALIDATION', 'id must be a dead letter id');
    return this.letters.get(id);
  }

  @Post('replay')
  @RequireScope('admin')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay dead letters by ids or a filter',
    description:
      "A task's letter runs the task again as a new attempt (as POST /tasks/{id}/retry); an event's is " +
      'published again to conveyor.events with its routing key. Replayed letters leave the store; the others ' +
      'stay and are named with the reason. `dryRun` answers what would be replayed. At most 10,000 a call, ' +
      'oldest first.',
  })
  @ApiOkResponse({ type: ReplayResultDto })
  replay(@Body() dto: DeadLetterReplayDto): Promise<ReplayResultDto> {
    return this.letters.replay(dto);
  }

  @Delete()
  @RequireScope('admin')
  @ApiOperation({
    summary: 'Discard dead letters by ids or a filter',
    description: 'At least one of ids, queue, reason, since, until: a bare DELETE discards nothing.',
  })
  @ApiOkResponse({ type: DiscardResultDto })
  discard(@Query() q: DeadLetterFilterDto): Promise<DiscardResultDto> {
    return this.letters.discard(q);
  }
}
