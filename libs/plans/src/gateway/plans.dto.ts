import { ApiProperty } from '@nestjs/swagger';
import { ApiSchemaExample, PageDto } from '@conveyor/common';

@ApiSchemaExample({
  taskId: '019ad9a4-5c00-7a2e-9f3b-6c1d2e3f4a5b',
  status: 'succeeded',
  createdAt: '2026-12-01T09:00:00.000Z',
  startedAt: '2026-12-01T09:00:00.015Z',
  finishedAt: '2026-12-01T09:00:00.480Z',
  error: null,
  chunks: 1,
  chunksExpected: 1,
  plansSeen: 3,
  plansNew: 3,
  plansChanged: 0,
  skipped: { offline: 1 },
  warnings: {},
})
export class PlanSyncDto {
  @ApiProperty({ format: 'uuid', description: 'The plans.sync task of this run' })
  taskId!: string;
  @ApiProperty({ example: 'succeeded' })
  status!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: Date;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  startedAt!: Date | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  finishedAt!: Date | null;
  @ApiProperty({ nullable: true, description: 'Why the run failed: {message, code, retryable}' })
  error!: unknown;
  @ApiProperty({ description: 'Chunks of plans applied so far' })
  chunks!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Chunks the sync sent (known once it succeeded); the run is complete when chunks reaches it',
  })
  chunksExpected!: number | null;
  @ApiProperty({ description: 'Online plans received' })
  plansSeen!: number;
  @ApiProperty({ description: 'Plans stored for the first time' })
  plansNew!: number;
  @ApiProperty({ description: 'Stored plans whose values changed' })
  plansChanged!: number;
  @ApiProperty({ description: 'Plans left out, by reason', example: { offline: 1, invalid_date: 1 } })
  skipped!: Record<string, number>;
  @ApiProperty({ description: 'Oddities that did not cost a plan its place', example: { repeated_zone: 1 } })
  warnings!: Record<string, number>;
}

export class PlanSyncListDto extends PageDto(PlanSyncDto) {}

/** One plan in the search answer (the format clients depend on). */
export class SearchEvent {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'Camela en concierto' })
  title!: string;
  @ApiProperty({ example: '2021-06-30' })
  start_date!: string;
  @ApiProperty({ example: '21:00:00' })
  start_time!: string;
  @ApiProperty({ example: '2021-06-30' })
  end_date!: string;
  @ApiProperty({ example: '22:00:00' })
  end_time!: string;
  @ApiProperty({ example: 15.0 })
  min_price!: number;
  @ApiProperty({ example: 30.0 })
  max_price!: number;
}

class SearchData {
  @ApiProperty({ type: [SearchEvent] })
  events!: SearchEvent[];
}

class SearchError {
  @ApiProperty({ example: 'INVALID_PARAMETER' })
  code!: string;
  @ApiProperty({ example: 'starts_at must be an ISO 8601 date-time, like 2021-02-01T00:00:00Z' })
  message!: string;
}

export class SearchResponseDto {
  @ApiProperty({ type: SearchData, nullable: true })
  data!: SearchData | null;
  @ApiProperty({ type: SearchError, nullable: true })
  error!: SearchError | null;
}
