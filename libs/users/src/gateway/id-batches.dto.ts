import { ApiProperty, ApiPropertyOptional, ExampleObject } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsInt,
  IsOptional,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ApiSchemaExample, PageDto, decimalInt, exampleTime } from '@conveyor/common';
import { TASK_STATUSES, USER_ID_MAX } from '@conveyor/contracts';

export const LIST_MAX = 100_000;
/** A range may be far larger than a list: it is stored as two numbers. */
export const RANGE_MAX = 10_000_000;
export const RPM_MAX = 10_000;

export class IdRangeDto {
  @ApiProperty({ example: 1001, minimum: 1, maximum: USER_ID_MAX })
  @IsInt()
  @Min(1)
  @Max(USER_ID_MAX)
  from!: number;

  @ApiProperty({ example: 1040, minimum: 1, maximum: USER_ID_MAX })
  @IsInt()
  @Min(1)
  @Max(USER_ID_MAX)
  to!: number;
}

/** The request examples /docs offers for POST /id-batches; a test sends each one. */
export const ID_BATCH_CREATE_EXAMPLES: Record<string, ExampleObject> = {
  range: {
    summary: 'IDs 1001..1040 at 2 per minute, from the next quarter hour',
    value: { range: { from: 1001, to: 1040 }, rpm: 2 },
  },
  list: {
    summary: 'Three IDs at 1 per minute, in a window starting tomorrow',
    value: { ids: [5, 9, 12], rpm: 1, startAt: exampleTime(24) },
  },
};

export class IdBatchCreateDto {
  @ApiPropertyOptional({
    type: [Number],
    description: `User IDs (1..${LIST_MAX}, no duplicates: a repeated ID is rejected, never silently kept or dropped). Give ids or range.`,
    example: [1001, 1002, 1003],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'ids must not be empty' })
  @ArrayMaxSize(LIST_MAX, { message: `ids: at most ${LIST_MAX} IDs in list form (use range for more)` })
  @IsInt({ each: true, message: 'ids must contain integers only' })
  @Min(1, { each: true, message: 'ids must be at least 1' })
  @Max(USER_ID_MAX, { each: true, message: `ids must be at most ${USER_ID_MAX}` })
  ids?: number[];

  @ApiPropertyOptional({
    type: IdRangeDto,
    description: `An inclusive range of IDs (at most ${RANGE_MAX}). Give ids or range.`,
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => IdRangeDto)
  range?: IdRangeDto;

  @ApiProperty({ description: 'IDs per minute slot', minimum: 1, maximum: RPM_MAX, example: 2 })
  @IsInt()
  @Min(1)
  @Max(RPM_MAX)
  rpm!: number;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'Start of the window; default the next quarter hour (:00, :15, :30, :45 UTC). Not in the past.',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  startAt?: string;
}

export class IdBatchPatchDto {
  @ApiProperty({
    description: 'New IDs per minute for the IDs that have not started',
    minimum: 1,
    maximum: RPM_MAX,
    example: 5,
  })
  @IsInt()
  @Min(1)
  @Max(RPM_MAX)
  rpm!: number;
}

export class SlotQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100, description: 'IDs per slot in this page' })
  @IsOptional()
  @Transform(decimalInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;

  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'IDs of each slot to skip' })
  @IsOptional()
  @Transform(decimalInt)
  @IsInt()
  @Min(0)
  @Max(RANGE_MAX)
  offset: number = 0;
}

export type IdBatchSource = { kind: 'range'; from: number; to: number } | { kind: 'list'; ids: number[] };

@ApiSchemaExample({
  id: '019ad9a4-5c00-7a2e-9f3b-6c1d2e3f4a5b',
  rpm: 2,
  startsAt: '2026-12-01T09:15:00.000Z',
  endsAt: '2026-12-01T09:30:00.000Z',
  total: 40,
  materialized: 40,
  source: { kind: 'range', from: 1001, to: 1040 },
  counts: { scheduled: 0, pending: 30, succeeded: 10 },
  cancelledAt: null,
  createdAt: '2026-12-01T09:02:11.000Z',
})
export class IdBatchDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  rpm!: number;
  @ApiProperty({ format: 'date-time' })
  startsAt!: Date;
  @ApiProperty({ format: 'date-time', description: 'End of the 15-slot window' })
  endsAt!: Date;
  @ApiProperty({ description: 'IDs in the batch' })
  total!: number;
  @ApiProperty({ description: 'IDs whose task exists (tasks are created slot by slot, in the background)' })
  materialized!: number;
  @ApiProperty({
    example: { kind: 'range', from: 1001, to: 1040 },
    description: 'range, or list with its size',
  })
  source!: { kind: 'range'; from: number; to: number } | { kind: 'list'; count: number };
  @ApiProperty({
    description: `Tasks by status, plus "scheduled": IDs whose task is not created yet`,
    example: { scheduled: 0, pending: 30, succeeded: 10 },
  })
  counts!: Partial<Record<(typeof TASK_STATUSES)[number] | 'scheduled', number>>;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  cancelledAt!: Date | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: Date;
}

export class IdBatchListDto extends PageDto(IdBatchDto) {}

export class SlotDto {
  @ApiProperty({ minimum: 0, maximum: 14 })
  slot!: number;
  @ApiProperty({ format: 'date-time' })
  startsAt!: Date;
  @ApiProperty({
    description: 'IDs in this slot, not cancelled (from the plan while the tasks are still being created)',
  })
  count!: number;
  @ApiProperty({ description: 'How many of them have their task yet' })
  created!: number;
  @ApiProperty({ type: [Number], description: 'One page of its IDs, in the order they run' })
  ids!: number[];
}

export class SlotListDto {
  @ApiProperty({ type: [SlotDto] })
  items!: SlotDto[];
  @ApiProperty()
  limit!: number;
  @ApiProperty()
  offset!: number;
  @ApiProperty({ description: 'IDs whose task is not created yet' })
  scheduled!: number;
}
