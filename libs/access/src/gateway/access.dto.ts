import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsIn,
  IsISO8601,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { PageDto, decimalInt } from '@conveyor/common';
import { SCOPES, Scope } from './scopes';

export class ApiKeyCreateDto {
  @ApiProperty({
    example: 'ci',
    maxLength: 100,
    description: 'Who or what uses the key (shown in the audit trail)',
  })
  @IsString()
  @Matches(/^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$/, { message: 'name must be visible ASCII characters' })
  @Matches(/^.{1,100}$/s, { message: 'name must be 1..100 characters' })
  name!: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['tasks:read', 'tasks:write'] })
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true, message: `each scope must be one of ${SCOPES.join(', ')}` })
  scopes!: Scope[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2027-12-31T00:00:00Z',
    description: 'When the key stops working; never when absent',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  expiresAt?: string | null;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'ci' })
  name!: string;
  @ApiProperty({ enum: SCOPES, isArray: true })
  scopes!: Scope[];
  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'To the minute' })
  lastUsedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expiresAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt!: string | null;
}

export class ApiKeyCreatedDto extends ApiKeyDto {
  @ApiProperty({
    description:
      'The key itself: shown this once, stored only as a hash. Send it as `Authorization: Bearer <key>`.',
    example: 'cvk_0f6e1c2a9b8d4e7f8a1b2c3d4e5f6a7b_3q2-7wXb1kZ9yV4tR8nM0pL6sJ5hG2fD1aQ7eW3rT9u',
  })
  key!: string;
}

export class ApiKeyListDto extends PageDto(ApiKeyDto) {}

export class AuditQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this key’s requests' })
  @IsOptional()
  @IsUUID('all')
  keyId?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Only requests at or after this time',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  since?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Transform(decimalInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;
}

export class AuditEntryDto {
  @ApiProperty({ format: 'uuid', description: 'UUID v7: ids sort in time order' })
  id!: string;
  @ApiProperty({ type: String, format: 'date-time' })
  at!: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'null for ADMIN_API_KEY or AUTH=off',
  })
  keyId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'ci' })
  keyName!: string | null;
  @ApiProperty({ example: 'POST' })
  method!: string;
  @ApiProperty({ example: '/tasks/:id/retry' })
  route!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The id in the path, or of what the request created',
  })
  targetId!: string | null;
  @ApiProperty({ example: 201 })
  status!: number;
  @ApiProperty({ type: String, nullable: true, example: '10.0.0.7' })
  clientAddress!: string | null;
}

export class AuditListDto {
  @ApiProperty({ type: [AuditEntryDto], description: 'Newest first' })
  items!: AuditEntryDto[];
}
