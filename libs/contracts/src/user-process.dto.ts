import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

/** User IDs are positive 32-bit integers. */
export const USER_ID_MAX = 2_147_483_647;

export class UserProcessPayloadDto {
  @ApiProperty({ description: 'The user to process (created when unknown)', example: 1001 })
  @IsInt()
  @Min(1)
  @Max(USER_ID_MAX)
  userId!: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'The ID batch that scheduled it' })
  @IsOptional()
  @IsUUID()
  batchId?: string;

  @ApiPropertyOptional({ description: 'Position of the ID in its batch (0-based)', minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  batchIndex?: number;
}

export interface UserProcessResult {
  userId: number;
  processedAt: string;
}
