import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorResponseDto, PageQueryDto } from '@conveyor/common';
import {
  IdBatchCreateDto,
  IdBatchDto,
  IdBatchListDto,
  IdBatchPatchDto,
  IdBatchesService,
  SlotListDto,
  SlotQueryDto,
} from '@conveyor/users/gateway';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('id must be a UUID') });

@ApiTags('id-batches')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('id-batches')
export class IdBatchesController {
  constructor(private readonly batches: IdBatchesService) {}

  @Post()
  @ApiOperation({
    summary: 'Schedule one user.process task per ID, spread over a 15-minute window at rpm IDs per minute',
  })
  @ApiCreatedResponse({ type: IdBatchDto })
  create(@Body() dto: IdBatchCreateDto): Promise<IdBatchDto> {
    return this.batches.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'List ID batches, newest first' })
  @ApiOkResponse({ type: IdBatchListDto })
  list(@Query() q: PageQueryDto): Promise<IdBatchListDto> {
    return this.batches.list(q.limit, q.offset);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An ID batch: window, rate, and its tasks counted by status' })
  @ApiOkResponse({ type: IdBatchDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id', uuid) id: string): Promise<IdBatchDto> {
    return this.batches.get(id);
  }

  @Get(':id/slots')
  @ApiOperation({ summary: 'The 15 slots of its window: time, count, and a page of IDs each' })
  @ApiOkResponse({ type: SlotListDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  slots(@Param('id', uuid) id: string, @Query() q: SlotQueryDto): Promise<SlotListDto> {
    return this.batches.slots(id, q);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the rate: the IDs that have not started are spread again' })
  @ApiOkResponse({ type: IdBatchDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Cancelled, or still creating its tasks' })
  changeRate(@Param('id', uuid) id: string, @Body() dto: IdBatchPatchDto): Promise<IdBatchDto> {
    return this.batches.changeRate(id, dto.rpm);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Cancel the IDs that have not started' })
  @ApiOkResponse({ type: IdBatchDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  cancel(@Param('id', uuid) id: string): Promise<IdBatchDto> {
    return this.batches.cancel(id);
  }
}
