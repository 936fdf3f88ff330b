import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '@conveyor/common';
import {
  GROUP_NAME,
  GROUP_NAME_RULE,
  PRIORITIES,
  Priority,
  TASK_STATUSES,
  TaskStatus,
} from '@conveyor/contracts';

/** The filters of GET /tasks: each narrows the list, all of them together. */
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

  @ApiPropertyOptional({ example: 'tenant-42' })
  @IsOptional()
  @IsString()
  @Matches(GROUP_NAME, { message: GROUP_NAME_RULE })
  group?: string;

  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOptional()
  @IsIn(PRIORITIES, { message: `priority must be one of ${PRIORITIES.join(', ')}` })
  priority?: Priority;

  @ApiPropertyOptional({
    description: 'The Idempotency-Key the task was submitted with',
    example: 'order-1234',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: 'idempotencyKey must be at most 200 characters' })
  idempotencyKey?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created at or after' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'createdAfter must be an ISO 8601 date-time' })
  createdAfter?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created before' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'createdBefore must be an ISO 8601 date-time' })
  createdBefore?: string;

  @ApiPropertyOptional({
    description:
      'Text in the payload, result or error (their JSON), case-insensitive, 3 to 200 characters; a trigram index keeps it fast',
    example: 'card declined',
    minLength: 3,
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @Length(3, 200, { message: 'q must be 3 to 200 characters' })
  q?: string;
}
