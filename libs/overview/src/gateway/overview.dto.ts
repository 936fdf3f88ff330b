import { ApiProperty } from '@nestjs/swagger';

export class QueueFiguresDto {
  @ApiProperty({ example: 'conveyor.tasks.normal.io' })
  name!: string;
  @ApiProperty({ description: 'Ready and unacked', example: 120 })
  messages!: number;
  @ApiProperty({ example: 100 })
  ready!: number;
  @ApiProperty({ example: 20 })
  unacked!: number;
  @ApiProperty({ example: 1 })
  consumers!: number;
  @ApiProperty({ description: 'Messages published per second, now', example: 250.5 })
  publishRate!: number;
  @ApiProperty({ description: 'Messages delivered per second, now', example: 248 })
  deliverRate!: number;
  @ApiProperty({ description: 'Messages acked (tasks done) per second, now', example: 247.2 })
  ackRate!: number;
  @ApiProperty({
    description: '[unix seconds, messages] over the window, oldest first',
    example: [[1796236400, 120]],
    type: 'array',
    items: { type: 'array', items: { type: 'number' } },
  })
  depthSamples!: [number, number][];
  @ApiProperty({
    description: '[unix seconds, acks so far] over the window, oldest first: differences are rates',
    example: [[1796236400, 50210]],
    type: 'array',
    items: { type: 'array', items: { type: 'number' } },
  })
  ackSamples!: [number, number][];
}

export class LatencyBucketDto {
  @ApiProperty({ description: 'Start of the bucket (unix seconds)', example: 1796236400 })
  at!: number;
  @ApiProperty({ description: 'Tasks that finished in it', example: 412 })
  finished!: number;
  @ApiProperty({ description: 'Submit-to-finish median (ms)', example: 38 })
  p50Ms!: number;
  @ApiProperty({ description: 'Submit-to-finish 99th percentile (ms)', example: 95 })
  p99Ms!: number;
}

export class OverviewTasksDto {
  @ApiProperty({
    description: 'Tasks not finished, by status (exact up to 1,000,000 each)',
    example: { pending: 3, waiting: 0, queued: 12, running: 40 },
  })
  active!: Record<string, number>;
  @ApiProperty({
    description:
      'Of the tasks created in the window (the newest 20,000 at most), the finished ones by status',
    example: { succeeded: 1890, failed: 4 },
  })
  finished!: Record<string, number>;
  @ApiProperty({ description: 'Tasks created in the window that were read (at most 20,000)', example: 1950 })
  sampled!: number;
}

export class OverviewDto {
  @ApiProperty({ example: '2026-12-02T18:00:00.000Z' })
  generatedAt!: string;
  @ApiProperty({ description: 'The window the figures cover (seconds)', example: 900 })
  windowSeconds!: number;
  @ApiProperty({ description: 'Bucket width of the series (seconds)', example: 15 })
  stepSeconds!: number;
  @ApiProperty({ type: OverviewTasksDto })
  tasks!: OverviewTasksDto;
  @ApiProperty({ type: [LatencyBucketDto], description: 'By the time the tasks finished, oldest first' })
  latency!: LatencyBucketDto[];
  @ApiProperty({ description: 'Unpublished outbox rows', example: { due: 0, later: 12 } })
  outbox!: { due: number; later: number };
  @ApiProperty({
    type: [QueueFiguresDto],
    nullable: true,
    description:
      'The work queues from the RabbitMQ management API; null when it is not set or did not answer',
  })
  queues!: QueueFiguresDto[] | null;
}
