import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { ApiSchemaExample, PageDto } from '@conveyor/common';
import { GROUP_LIMIT_MAX } from '@conveyor/contracts';

export class GroupLimitsDto {
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: GROUP_LIMIT_MAX,
    example: 10,
    description:
      "Most of the group's tasks running at once; 0 holds them all back; null or absent: unlimited",
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt({ message: 'concurrency must be an integer or null' })
  @Min(0, { message: 'concurrency must be at least 0' })
  @Max(GROUP_LIMIT_MAX, { message: `concurrency must be at most ${GROUP_LIMIT_MAX}` })
  concurrency?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: GROUP_LIMIT_MAX,
    example: 50,
    description: "Most of the group's tasks started in any second; null or absent: unlimited",
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt({ message: 'ratePerSecond must be an integer or null' })
  @Min(1, { message: 'ratePerSecond must be at least 1' })
  @Max(GROUP_LIMIT_MAX, { message: `ratePerSecond must be at most ${GROUP_LIMIT_MAX}` })
  ratePerSecond?: number | null;
}

@ApiSchemaExample({
  name: 'tenant-42',
  concurrency: 10,
  ratePerSecond: 50,
  running: 10,
  waiting: 1250,
  createdAt: '2026-12-01T09:00:00.000Z',
  updatedAt: '2026-12-01T09:30:00.000Z',
})
export class GroupDto {
  @ApiProperty({ example: 'tenant-42' })
  name!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'null: unlimited' })
  concurrency!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'null: unlimited' })
  ratePerSecond!: number | null;
  @ApiProperty({ description: 'Tasks published to the workers and not finished: what concurrency counts' })
  running!: number;
  @ApiProperty({
    description: 'Tasks still to be published: due, scheduled, retrying or waiting for parents',
  })
  waiting!: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'null: no limits set' })
  createdAt!: Date | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  updatedAt!: Date | null;
}

export class GroupListDto extends PageDto(GroupDto) {}
