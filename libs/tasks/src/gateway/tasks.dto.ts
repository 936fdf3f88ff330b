import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { PageDto, PageQueryDto } from '@conveyor/common';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  CurrencyConvertPayloadDto,
  DemoWorkPayloadDto,
  PlansSyncPayloadDto,
  UserProcessPayloadDto,
  PRIORITIES,
  Priority,
  TASK_STATUSES,
  TASK_TYPE_NAME,
  TaskStatus,
} from '@conveyor/contracts';

/** How far ahead a task can be scheduled: one year. */
export const MAX_DELAY_SECONDS = 365 * 86400;

export class TaskCreateDto {
  @ApiProperty({ description: 'A registered task type', example: 'demo.work' })
  @IsString()
  @MaxLength(100)
  @Matches(TASK_TYPE_NAME, { message: 'type must be lower-case words separated by dots' })
  type!: string;

  @ApiProperty({
    description: 'Payload of the task type, validated against its contract',
    oneOf: [
      { $ref: getSchemaPath(DemoWorkPayloadDto) },
      { $ref: getSchemaPath(UserProcessPayloadDto) },
      { $ref: getSchemaPath(CurrencyConvertPayloadDto) },
      { $ref: getSchemaPath(PlansSyncPayloadDto) },
    ],
    example: { seconds: 1, cpuBound: false },
  })
  @IsObject()
  payload!: Record<string, unknown>;

  @ApiPropertyOptional({ enum: PRIORITIES, default: 'normal' })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: Priority;

  @ApiPropertyOptional({ format: 'date-time', description: 'Run at this time (not with delaySeconds)' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  runAt?: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_DELAY_SECONDS,
    description: 'Run this many seconds from now',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_SECONDS)
  delaySeconds?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 20,
    default: 3,
    description: 'Attempts before a retryable failure is final',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  maxAttempts?: number;
}

export const BATCH_MAX = 1000;

export class TaskBatchCreateDto {
  @ApiProperty({ type: [TaskCreateDto], minItems: 1, maxItems: BATCH_MAX })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(BATCH_MAX, { message: `items: at most ${BATCH_MAX} tasks per batch` })
  @ValidateNested({ each: true })
  @Type(() => TaskCreateDto)
  items!: TaskCreateDto[];
}

export class TaskUpdateDto {
  @ApiProperty({ enum: ['cancelled'], description: 'The only change a client can ask for' })
  @IsIn(['cancelled'])
  status!: 'cancelled';
}

export class TaskListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ example: 'demo.work' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  type?: string;
}

export class TaskBatchResponseDto {
  @ApiProperty({ type: () => [TaskResponseDto] })
  items!: TaskResponseDto[];
}

export class TaskAttemptDto {
  @ApiProperty({ example: 1 })
  attempt!: number;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed', 'cancelled'] })
  status!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  startedAt!: Date | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  finishedAt!: Date | null;
  @ApiProperty({ type: () => TaskErrorDto, nullable: true })
  error!: TaskErrorDto | null;
}

export class TaskAttemptListDto {
  @ApiProperty({ type: [TaskAttemptDto] })
  items!: TaskAttemptDto[];
}

export class TaskErrorDto {
  @ApiProperty({ example: 'demo.work failed on request' })
  message!: string;
  @ApiProperty({ example: 'HANDLER_FAILED' })
  code!: string;
  @ApiProperty({ example: false })
  retryable!: boolean;
}

export class TaskResponseDto {
  @ApiProperty({ format: 'uuid', description: 'UUID v7 (time-ordered)' })
  id!: string;
  @ApiProperty({ example: 'demo.work' })
  type!: string;
  @ApiProperty({ example: { seconds: 1, cpuBound: false } })
  payload!: unknown;
  @ApiProperty({ enum: PRIORITIES })
  priority!: Priority;
  @ApiProperty({ enum: TASK_STATUSES, example: 'queued' })
  status!: TaskStatus;
  @ApiProperty({ minimum: 0, maximum: 100 })
  progress!: number;
  @ApiProperty({ nullable: true, example: { kind: 'io', ranForMs: 1001 } })
  result!: unknown;
  @ApiProperty({ type: TaskErrorDto, nullable: true })
  error!: TaskErrorDto | null;
  @ApiProperty()
  attempts!: number;
  @ApiProperty()
  maxAttempts!: number;
  @ApiProperty({ format: 'date-time' })
  runAt!: Date;
  @ApiProperty({ nullable: true, type: String })
  idempotencyKey!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: Date;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  queuedAt!: Date | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  startedAt!: Date | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  finishedAt!: Date | null;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: Date;
}

export class TaskListResponseDto extends PageDto(TaskResponseDto) {}
