import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { RequireScope } from '@conveyor/access/gateway';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorResponseDto, PageQueryDto, uuidParam } from '@conveyor/common';
import {
  ID_BATCH_CREATE_EXAMPLES,
  IdBatchCreateDto,
  IdBatchDto,
  IdBatchListDto,
  IdBatchPatchDto,
  IdBatchesService,
  SlotListDto,
  SlotQueryDto,
} from '@conveyor/users/gateway';

@ApiTags('id-batches')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('id-batches')
export class IdBatchesController {
  constructor(private readonly batches: IdBatchesService) {}

  @Post()
  @RequireScope('users:write')
  @ApiOperation({
    summary: 'Schedule one user.process task per ID, spread over a 15-minute window at rpm IDs per minute',
    description:
      'Give `ids` (up to 100,000, no repeats) or `range` (up to 10,000,000). `startAt` is not in the past ' +
      'and at most 365 days ahead (default: the next quarter hour). The tasks are created in the background.',
  })
  @ApiBody({ type: IdBatchCreateDto, examples: ID_BATCH_CREATE_EXAMPLES })
  @ApiCreatedResponse({ type: IdBatchDto })
  create(@Body() dto: IdBatchCreateDto): Promise<IdBatchDto> {
    return this.batches.create(dto);
  }

  @Get()
  @RequireScope('users:read')
  @ApiOperation({
    summary: 'List ID batches, newest first',
    description: 'A page is `{items, limit, offset, hasMore}`.',
  })
  @ApiOkResponse({ type: IdBatchListDto })
  list(@Query() q: PageQueryDto): Promise<IdBatchListDto> {
    return this.batches.list(q.limit, q.offset);
  }

  @Get(':id')
  @RequireScope('users:read')
  @ApiOperation({
    summary: 'An ID batch: window, rate, and its tasks counted by status',
    description:
      '`materialized` counts the IDs whose task exists; `counts.scheduled` those still to be created.',
  })
  @ApiOkResponse({ type: IdBatchDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id', uuidParam) id: string): Promise<IdBatchDto> {
    return this.batches.get(id);
  }

  @Get(':id/slots')
  @RequireScope('users:read')
  @ApiOperation({
    summary: 'The 15 slots of its window: time, count, and a page of IDs each',
    description:
      'Answered from the plan while the tasks are being created (`created` per slot), then from the tasks.',
  })
  @ApiOkResponse({ type: SlotListDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  slots(@Param('id', uuidParam) id: string, @Query() q: SlotQueryDto): Promise<SlotListDto> {
    return this.batches.slots(id, q);
  }

  @Patch(':id')
  @RequireScope('users:write')
  @ApiOperation({
    summary: 'Change the rate: the IDs that have not started are spread again',
    description: 'Over the batch window at the new rate, or over the next window if it has begun.',
  })
  @ApiOkResponse({ type: IdBatchDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Cancelled, or still creating its tasks' })
  changeRate(@Param('id', uuidParam) id: string, @Body() dto: IdBatchPatchDto): Promise<IdBatchDto> {
    return this.batches.changeRate(id, dto.rpm);
  }

  @Delete(':id')
  @RequireScope('users:write')
  @ApiOperation({
    summary: 'Cancel the IDs that have not started',
    description: 'Stops creating tasks and cancels the pending and queued ones; running ones finish.',
  })
  @ApiOkResponse({ type: IdBatchDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  cancel(@Param('id', uuidParam) id: string): Promise<IdBatchDto> {
    return this.batches.cancel(id);
  }
}
