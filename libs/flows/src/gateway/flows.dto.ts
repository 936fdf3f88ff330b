import { ApiProperty, ApiPropertyOptional, ExampleObject, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  ValidateNested,
} from 'class-validator';
import { PageDto } from '@conveyor/common';
import { TASK_STATUSES, TaskStatus } from '@conveyor/contracts';
import { TaskCreateDto, TaskErrorDto } from '@conveyor/tasks/gateway';

export const FLOW_MAX_TASKS = 1000;
export const PARENT_FAILURE_MODES = ['cancel', 'ignore'] as const;
export type ParentFailureMode = (typeof PARENT_FAILURE_MODES)[number];
export const FLOW_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const;
export type FlowStatus = (typeof FLOW_STATUSES)[number];

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
const KEY_RULE = '1..100 letters, digits, _ . : or -, starting with a letter or digit';

/** One task of a flow: what POST /tasks takes (without a time of its own), a key and its parents. */
export class FlowTaskDto extends PickType(TaskCreateDto, [
  'type',
  'payload',
  'priority',
  'maxAttempts',
  'group',
] as const) {
  @ApiProperty({ example: 'extract', description: `Unique in the flow: ${KEY_RULE}` })
  @IsString()
  @Matches(KEY, { message: `key must be ${KEY_RULE}` })
  key!: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['extract'],
    description: 'Keys of the tasks this one waits for; it starts once every one of them succeeded',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(FLOW_MAX_TASKS - 1, { message: `dependsOn: at most ${FLOW_MAX_TASKS - 1} keys` })
  @IsString({ each: true })
  dependsOn?: string[];

  @ApiPropertyOptional({
    enum: PARENT_FAILURE_MODES,
    default: 'cancel',
    description:
      'A parent that ends failed, dead or cancelled: cancel this task (and what waits for it), or run it anyway',
  })
  @IsOptional()
  @IsIn(PARENT_FAILURE_MODES)
  onParentFailure?: ParentFailureMode;
}

export class FlowCreateDto {
  @ApiPropertyOptional({ example: 'nightly-etl', maxLength: 200 })
  @IsOptional()
  @IsString()
  @Matches(/^[\x21-\x7e](?:[\x20-\x7e]{0,198}[\x21-\x7e])?$/, {
    message: 'name must be 1..200 visible ASCII characters',
  })
  name?: string;

  @ApiProperty({ type: [FlowTaskDto], minItems: 1, maxItems: FLOW_MAX_TASKS })
  @IsArray()
  @ArrayMinSize(1, { message: 'tasks: at least one task' })
  @ArrayMaxSize(FLOW_MAX_TASKS, { message: `tasks: at most ${FLOW_MAX_TASKS} tasks per flow` })
  @ValidateNested({ each: true })
  @Type(() => FlowTaskDto)
  tasks!: FlowTaskDto[];
}

const work = (value: number, dependsOn?: string[], extra: object = {}) => ({
  type: 'demo.work',
  payload: { seconds: 1, cpuBound: false, value, ...extra },
  ...(dependsOn && { dependsOn }),
});

/** The request examples /docs offers for POST /flows; a test sends each one. */
export const FLOW_CREATE_EXAMPLES: Record<string, ExampleObject> = {
  diamond: {
    summary: 'A diamond: b and c after a, d after both (d sees their results: its sum is 11)',
    value: {
      name: 'diamond',
      tasks: [
        { key: 'a', ...work(1) },
        { key: 'b', ...work(2, ['a']) },
        { key: 'c', ...work(3, ['a']) },
        { key: 'd', ...work(4, ['b', 'c']) },
      ],
    },
  },
  ignore: {
    summary: 'A report that runs even when its input fails',
    value: {
      tasks: [
        { key: 'load', ...work(1, undefined, { fail: true }) },
        { key: 'report', ...work(1, ['load']), onParentFailure: 'ignore' },
      ],
    },
  },
};

export class FlowNodeDto {
  @ApiProperty({ example: 'b' })
  key!: string;
  @ApiProperty({ format: 'uuid' })
  taskId!: string;
  @ApiProperty({ example: 'demo.work' })
  type!: string;
  @ApiProperty({ enum: TASK_STATUSES, example: 'waiting' })
  status!: TaskStatus;
  @ApiProperty({ type: [String], example: ['a'] })
  dependsOn!: string[];
  @ApiProperty({ enum: PARENT_FAILURE_MODES })
  onParentFailure!: ParentFailureMode;
  @ApiProperty()
  attempts!: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  startedAt!: Date | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  finishedAt!: Date | null;
  @ApiProperty({ type: TaskErrorDto, nullable: true })
  error!: TaskErrorDto | null;
}

export class FlowSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'diamond' })
  name!: string | null;
  @ApiProperty({
    enum: FLOW_STATUSES,
    description:
      'running while a task has not finished; then succeeded (all did), failed (one failed or is dead) or cancelled',
  })
  status!: FlowStatus;
  @ApiProperty({ example: 4 })
  taskCount!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { succeeded: 1, waiting: 3 },
  })
  counts!: Partial<Record<TaskStatus, number>>;
  @ApiProperty({ format: 'date-time' })
  createdAt!: Date;
}

export class FlowDto extends FlowSummaryDto {
  @ApiProperty({ type: [FlowNodeDto], description: 'Every task, in the order submitted' })
  tasks!: FlowNodeDto[];
}

export class FlowListDto extends PageDto(FlowSummaryDto) {}
