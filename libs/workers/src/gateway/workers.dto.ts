import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ApiSchemaExample, PageDto, PageQueryDto } from '@conveyor/common';
import { WORKER_STATUSES, WorkerStatus } from './workers.repository';

export class WorkersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: WORKER_STATUSES, description: 'Only workers in this state' })
  @IsOptional()
  @IsIn(WORKER_STATUSES, { message: `status must be one of ${WORKER_STATUSES.join(', ')}` })
  status?: WorkerStatus;
}

export class WorkerLaneDto {
  @ApiProperty({ example: 'conveyor.tasks.normal.io' })
  queue!: string;
  @ApiProperty({ description: 'Handlers of this queue the worker may run at once', example: 200 })
  slots!: number;
  @ApiProperty({ description: 'Messages of this queue being processed there now', example: 12 })
  inFlight!: number;
}

@ApiSchemaExample({
  id: 'worker-host:4242',
  host: 'worker-host',
  pid: 4242,
  version: '0.1.0',
  status: 'up',
  startedAt: '2026-12-01T09:00:00.000Z',
  lastSeenAt: '2026-12-01T09:30:00.000Z',
  stoppedAt: null,
  intervalMs: 5000,
  brokerNode: '10.0.0.7:5672',
  cpuThreads: 2,
  poolUtilization: 0.5,
  lanes: [{ queue: 'conveyor.tasks.normal.io', slots: 200, inFlight: 12 }],
})
export class WorkerDto {
  @ApiProperty({ description: 'host:pid', example: 'worker-host:4242' })
  id!: string;
  @ApiProperty()
  host!: string;
  @ApiProperty()
  pid!: number;
  @ApiProperty({ example: '0.1.0' })
  version!: string;
  @ApiProperty({
    enum: WORKER_STATUSES,
    description:
      'up; gone after three missed heartbeats (killed, hung or cut off); stopped when it shut down',
  })
  status!: WorkerStatus;
  @ApiProperty({ format: 'date-time', type: String })
  startedAt!: Date;
  @ApiProperty({ format: 'date-time', type: String, description: 'Its last heartbeat (the worker’s clock)' })
  lastSeenAt!: Date;
  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  stoppedAt!: Date | null;
  @ApiProperty({ description: 'How often it beats (WORKER_HEARTBEAT_MS)' })
  intervalMs!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'host:port of its RabbitMQ node; null: disconnected',
  })
  brokerNode!: string | null;
  @ApiProperty({ description: 'Threads of its CPU pool' })
  cpuThreads!: number;
  @ApiProperty({ description: 'Share of those threads running a function at the beat, 0..1' })
  poolUtilization!: number;
  @ApiProperty({ type: [WorkerLaneDto] })
  lanes!: WorkerLaneDto[];
}

export class WorkerListDto extends PageDto(WorkerDto) {}
