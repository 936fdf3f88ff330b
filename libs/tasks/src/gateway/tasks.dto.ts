import { ApiProperty, ApiPropertyOptional, ExampleObject, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ApiSchemaExample, PageDto, exampleTime } from '@conveyor/common';
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
  GROUP_NAME,
  GROUP_NAME_RULE,
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
    // anyOf: `type` picks the contract, and a payload can fit more than one shape.
    anyOf: [
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

  @ApiPropertyOptional({
    maxLength: 200,
    example: 'tenant-42',
    description: 'The group whose limits (PUT /groups/{group}) apply to it: a tenant, a provider',
  })
  @IsOptional()
  @IsString()
  @Matches(GROUP_NAME, { message: GROUP_NAME_RULE })
  group?: string;
}

export const BATCH_MAX = 1000;

const IO_TASK = { type: 'demo.work', payload: { seconds: 1, cpuBound: false } };

/** The request examples /docs offers for POST /tasks; a test sends each one. */
export const TASK_CREATE_EXAMPLES: Record<string, ExampleObject> = {
  io: { summary: 'IO-bound work (1 s on the event loop)', value: IO_TASK },
  cpu: {
    summary: 'CPU-bound work on the high lane (2 s in the thread pool)',
    value: { type: 'demo.work', payload: { seconds: 2, cpuBound: true }, priority: 'high' },
  },
  delayed: { summary: 'In 30 seconds', value: { ...IO_TASK, delaySeconds: 30 } },
  at: { summary: 'At a time (at most 365 days ahead)', value: { ...IO_TASK, runAt: exampleTime(24) } },
  retries: {
    summary: 'Fails twice with a retryable error, then succeeds',
    value: { type: 'demo.work', payload: { seconds: 0, cpuBound: false, failAttempts: 2 }, maxAttempts: 3 },
  },
};

export const TASK_BATCH_EXAMPLES: Record<string, ExampleObject> = {
  two: {
    summary: 'Two tasks, created together or not at all',
    value: { items: [IO_TASK, { type: 'demo.work', payload: { seconds: 1, cpuBound: true } }] },
  },
};

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

export class TaskBatchResponseDto {
  @ApiProperty({ type: () => [TaskResponseDto] })
  items!: TaskResponseDto[];
}

@ApiSchemaExample({
  attempt: 1,
  status: 'succeeded',
  startedAt: '2026-12-01T09:00:00.020Z',
  finishedAt: '2026-12-01T09:00:01.023Z',
  error: null,
})
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

@ApiSchemaExample({
  id: '019ad9a4-5c00-7a2e-9f3b-6c1d2e3f4a5b',
  type: 'demo.work',
  payload: { seconds: 1, cpuBound: false },
  priority: 'normal',
  status: 'succeeded',
  progress: 100,
  result: { kind: 'io', ranForMs: 1001 },
  error: null,
  attempts: 1,
  maxAttempts: 3,
  runAt: '2026-12-01T09:00:00.000Z',
  idempotencyKey: null,
  createdAt: '2026-12-01T09:00:00.000Z',
  queuedAt: '2026-12-01T09:00:00.012Z',
  startedAt: '2026-12-01T09:00:00.020Z',
  finishedAt: '2026-12-01T09:00:01.023Z',
  updatedAt: '2026-12-01T09:00:01.025Z',
  flowId: null,
  flowKey: null,
  group: null,
})
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
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The flow the task belongs to' })
  flowId!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Its key in that flow' })
  flowKey!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The group whose limits apply to it' })
  group!: string | null;
}

export class TaskListResponseDto extends PageDto(TaskResponseDto) {}
