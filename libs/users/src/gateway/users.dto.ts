import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { PageDto } from '@conveyor/common';
import {
  IsEmail,
  IsISO8601,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { USER_ID_MAX } from '@conveyor/contracts';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class UserReplaceDto {
  @ApiProperty({ example: 'Ada Lovelace', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'ada@example.com', description: 'Unique, case-insensitively' })
  @Transform(trim)
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the player last signed in (shown on its casino events); PUT without it clears it',
    example: '2026-11-30T18:05:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  lastSignedInAt?: string | null;
}

export class UserCreateDto extends UserReplaceDto {
  @ApiPropertyOptional({
    description: 'Your own ID; assigned when absent',
    minimum: 1,
    maximum: USER_ID_MAX,
    example: 1001,
  })
  // Absent means "assign one"; null is not absent (IsOptional would let it through to the insert).
  @ValidateIf((_dto, id) => id !== undefined)
  @IsInt()
  @Min(1)
  @Max(USER_ID_MAX)
  id?: number;
}

export class UserPatchDto {
  @ApiPropertyOptional({ example: 'Ada King', maxLength: 200 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'ada.king@example.com' })
  @IsOptional()
  @Transform(trim)
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the player last signed in; null clears it',
    example: '2026-11-30T18:05:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  lastSignedInAt?: string | null;
}

export class UserDto {
  @ApiProperty({ example: 1001 })
  id!: number;
  @ApiProperty({ example: 'Ada Lovelace' })
  name!: string;
  @ApiProperty({ nullable: true, type: String, description: 'null for a user created by processing its ID' })
  email!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: Date;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: Date;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastProcessedAt!: Date | null;
  @ApiProperty({ description: 'How many user.process tasks succeeded for this user' })
  processCount!: number;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When the player last signed in',
  })
  lastSignedInAt!: Date | null;
}

export class UserListDto extends PageDto(UserDto) {}
