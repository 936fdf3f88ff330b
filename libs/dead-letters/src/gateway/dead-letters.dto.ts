import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { ApiSchemaExample, PageDto, PageQueryDto } from '@conveyor/common';

const ID = /^[1-9][0-9]{0,17}$/;

/** Which dead letters: ids, or a filter (all criteria together). */
export class DeadLetterFilterDto {
  @ApiPropertyOptional({ description: 'Up to 1,000 ids, comma-separated', example: '17,18' })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,17}(,[1-9][0-9]{0,17}){0,999}$/, {
    message: 'ids must be up to 1000 comma-separated ids',
  })
  ids?: string;

  @ApiPropertyOptional({ description: 'The queue it died in', example: 'conveyor.tasks.normal.io' })
  @IsOptional()
  @IsString({ message: 'queue must be a string' })
  @MaxLength(300, { message: 'queue must be at most 300 characters' })
  queue?: string;

  @ApiPropertyOptional({ description: 'Why it died (the rejection code)', example: 'INVALID_PAYLOAD' })
  @IsOptional()
  @IsString({ message: 'reason must be a string' })
  @MaxLength(100, { message: 'reason must be at most 100 characters' })
  reason?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Received at or after' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Received before' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date-time' })
  until?: string;
}

export class DeadLetterListQueryDto extends IntersectionType(PageQueryDto, DeadLetterFilterDto) {}

export class DeadLetterReplayDto extends OmitType(DeadLetterFilterDto, ['ids'] as const) {
  @ApiPropertyOptional({ type: [String], description: 'Up to 1,000 ids', example: ['17'] })
  @IsOptional()
  @IsArray({ message: 'ids must be an array of ids' })
  @ArrayMaxSize(1000, { message: 'ids must hold at most 1000 ids' })
  @Matches(ID, { each: true, message: 'each of ids must be a dead letter id' })
  ids?: string[];

  @ApiPropertyOptional({ description: 'Answer what would be replayed, and replay nothing', default: false })
  @IsOptional()
  @IsBoolean({ message: 'dryRun must be true or false' })
  dryRun?: boolean;
}

@ApiSchemaExample({
  id: '17',
  queue: 'conveyor.tasks.normal.cpu',
  reason: 'INVALID_PAYLOAD',
  message: 'payload.seconds: Expected number, received string (dead-lettered from conveyor.tasks.normal.cpu)',
  exchange: 'conveyor.tasks',
  routingKey: 'task.normal.cpu.demo.work',
  messageId: '0190f5d8-8c3a-7cc1-9a57-6a0f7e2b8c11/1',
  taskId: '0190f5d8-8c3a-7cc1-9a57-6a0f7e2b8c11',
  type: 'demo.work',
  contentType: 'application/json',
  headers: { 'x-conveyor-attempt': 1 },
  body: null,
  bodySize: 98,
  truncated: false,
  diedAt: '2026-12-01T09:00:00.000Z',
  receivedAt: '2026-12-01T09:00:00.020Z',
})
export class DeadLetterDto {
  @ApiProperty({ example: '17' })
  id!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The queue it died in' })
  queue!: string | null;
  @ApiProperty({ description: 'The worker’s rejection code, or DELIVERY_LIMIT, DEAD_LETTERED, UNROUTABLE' })
  reason!: string;
  @ApiProperty()
  message!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Where it had been sent' })
  exchange!: string | null;
  @ApiProperty({ type: String, nullable: true })
  routingKey!: string | null;
  @ApiProperty({ type: String, nullable: true })
  messageId!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The task it carried, when it was a task message',
  })
  taskId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Its AMQP type' })
  type!: string | null;
  @ApiProperty({ type: String, nullable: true })
  contentType!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true })
  headers!: Record<string, unknown>;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'byte',
    description: 'The body as stored (base64, at most 64 KiB); null in lists, GET /dead-letters/{id} has it',
  })
  body!: string | null;
  @ApiProperty({ description: 'The whole body’s size in bytes' })
  bodySize!: number;
  @ApiProperty({ description: 'The body was larger than 64 KiB and was cut there' })
  truncated!: boolean;
  @ApiProperty({ format: 'date-time', type: String, nullable: true, description: 'When it died' })
  diedAt!: Date | null;
  @ApiProperty({ format: 'date-time', type: String, description: 'When the gateway stored it' })
  receivedAt!: Date;
}

export class DeadLetterListDto extends PageDto(DeadLetterDto) {}

export class NotReplayedDto {
  @ApiProperty()
  id!: string;
  @ApiProperty({ example: 'its body was stored truncated' })
  reason!: string;
}

export class ReplayResultDto {
  @ApiProperty()
  dryRun!: boolean;
  @ApiProperty({ description: 'Letters the ids or the filter named' })
  matched!: number;
  @ApiProperty({ description: 'Replayed and removed (in a dry run: would be)' })
  replayed!: number;
  @ApiProperty({ description: 'Left in the store: they cannot be replayed' })
  skipped!: number;
  @ApiProperty({ type: [NotReplayedDto], description: 'The first 100 skipped, each with the reason' })
  notReplayed!: NotReplayedDto[];
}

export class DiscardResultDto {
  @ApiProperty()
  deleted!: number;
}
