import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';

export class DemoWorkPayloadDto {
  @ApiProperty({ description: 'How long the work lasts, in seconds', minimum: 0, maximum: 3600, example: 1 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(3600)
  seconds!: number;

  @ApiProperty({
    description: 'true: burn CPU in the worker pool; false: wait on the event loop',
    example: false,
  })
  @IsBoolean()
  cpuBound!: boolean;

  @ApiPropertyOptional({ description: 'Fail at the end of the work, to see a failed task', example: false })
  @IsOptional()
  @IsBoolean()
  fail?: boolean;

  @ApiPropertyOptional({
    description: 'Fail the first N attempts with a retryable error, to see retries with backoff',
    minimum: 0,
    maximum: 20,
    example: 0,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  failAttempts?: number;

  @ApiPropertyOptional({
    description:
      'A number to add up along a flow: the result has `sum`, this value plus the `sum` of every parent, ' +
      'and `parents`, the keys of the parents whose results the task saw',
    example: 1,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1e12)
  @Max(1e12)
  value?: number;

  @ApiPropertyOptional({
    description:
      'Fault drill: kill the worker process that runs it, on every attempt (the task ends dead after the ' +
      'delivery limit). Workers refuse it unless WORKER_FAULT_DRILLS=true.',
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  crash?: boolean;
}

export interface DemoWorkResult {
  kind: 'cpu' | 'io';
  ranForMs: number;
  /** Loop iterations of the CPU variant, so the work cannot be optimised away. */
  iterations?: number;
  /** With `value` or parents: `value` plus the parents' sums. */
  sum?: number;
  /** The keys of the parents (in a flow) whose results the task saw. */
  parents?: string[];
}
