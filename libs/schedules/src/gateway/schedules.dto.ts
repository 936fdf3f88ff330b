import { ApiProperty, ApiPropertyOptional, PartialType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsISO8601,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageDto } from '@conveyor/common';
import { TaskCreateDto } from '@conveyor/tasks/gateway';

export const OVERLAPS = ['skip', 'allow'] as const;
export type Overlap = (typeof OVERLAPS)[number];
export const CATCH_UPS = ['none', 'latest', 'all'] as const;
export type CatchUp = (typeof CATCH_UPS)[number];

/** The task each tick creates: what POST /tasks takes, without a time of its own. */
export class ScheduleTaskDto extends PickType(TaskCreateDto, [
  'type',
  'payload',
  'priority',
  'maxAttempts',
  'group',
] as const) {}

export class ScheduleCreateDto {
  @ApiProperty({ example: 'nightly-report', maxLength: 200, description: 'Unique' })
  @IsString()
  @Matches(/^[\x21-\x7e](?:[\x20-\x7e]{0,198}[\x21-\x7e])?$/, {
    message: 'name must be 1..200 visible ASCII characters',
  })
  name!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '0 30 2 * * *',
    description: 'Five fields, or six with seconds first (croner); give this or everySeconds',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cron?: string | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: 31_536_000, example: 60 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(31_536_000)
  everySeconds?: number | null;

  @ApiPropertyOptional({
    default: 'UTC',
    example: 'Europe/Madrid',
    description: 'IANA zone the cron reads in',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  timezone?: string;

  @ApiProperty({ type: ScheduleTaskDto })
  @ValidateNested()
  @Type(() => ScheduleTaskDto)
  task!: ScheduleTaskDto;

  @ApiPropertyOptional({
    enum: OVERLAPS,
    default: 'skip',
    description: 'skip: no new task while the last one has not finished',
  })
  @IsOptional()
  @IsIn(OVERLAPS)
  overlap?: Overlap;

  @ApiPropertyOptional({
    enum: CATCH_UPS,
    default: 'latest',
    description:
      'After downtime: none of the missed ticks, the latest only, or all (at most SCHEDULE_CATCH_UP_MAX)',
  })
  @IsOptional()
  @IsIn(CATCH_UPS)
  catchUp?: CatchUp;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'No tick before' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  startAt?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'No tick after' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  endAt?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  paused?: boolean;
}

/** Any field; `paused: true` pauses and `false` resumes (from the next tick after now). */
export class SchedulePatchDto extends PartialType(ScheduleCreateDto) {}

export class ScheduleRunDto {
  @ApiProperty({ type: String, format: 'date-time' })
  fireAt!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  taskId!: string | null;
  @ApiProperty({
    enum: ['created', 'skipped', 'missed', 'refused'],
    description:
      'skipped: the last task had not finished; missed: catchUp; refused: the task no longer validates',
  })
  outcome!: string;
}

export class ScheduleDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'nightly-report' })
  name!: string;
  @ApiProperty({ type: String, nullable: true, example: '0 30 2 * * *' })
  cron!: string | null;
  @ApiProperty({ type: Number, nullable: true, example: null })
  everySeconds!: number | null;
  @ApiProperty({ example: 'Europe/Madrid' })
  timezone!: string;
  @ApiProperty({ type: ScheduleTaskDto })
  task!: ScheduleTaskDto;
  @ApiProperty({ enum: OVERLAPS })
  overlap!: Overlap;
  @ApiProperty({ enum: CATCH_UPS })
  catchUp!: CatchUp;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  endAt!: string | null;
  @ApiProperty()
  paused!: boolean;
  @ApiProperty({ description: 'Made by the gateway itself (the plans sync): its timing follows its setting' })
  builtin!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null once past endAt' })
  nextFireAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: string;
}

export class ScheduleDetailDto extends ScheduleDto {
  @ApiProperty({ type: [String], description: 'The next 5 fire times (none while paused)' })
  nextFires!: string[];
  @ApiProperty({ type: [ScheduleRunDto], description: 'The last 20 runs, newest first' })
  runs!: ScheduleRunDto[];
}

export class ScheduleListDto extends PageDto(ScheduleDto) {}
