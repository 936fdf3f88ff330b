import { Type as ClassType } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, TransformFnParams } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * A whole number from a query string, in decimal digits only: `0x10`, `1e1`, `+5` or `5.0` stay
 * text, so `@IsInt()` refuses them instead of reading 16, 10 or 5. Use as `@Transform(decimalInt)`.
 */
export function decimalInt({ value }: TransformFnParams): unknown {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
}

/** `?limit=&offset=` of every list endpoint: limit 1..100 (default 20). */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Transform(decimalInt)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  @ApiPropertyOptional({ minimum: 0, maximum: 1_000_000, default: 0 })
  @IsOptional()
  @Transform(decimalInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset: number = 0;
}

export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  hasMore: boolean;
}

/** The response class of a list of `item`s, for Swagger: `class UserListDto extends PageDto(UserDto) {}`. */
export function PageDto<T>(item: ClassType<T>): ClassType<Page<T>> {
  class PageOf implements Page<T> {
    @ApiProperty({ type: [item] })
    items!: T[];
    @ApiProperty()
    limit!: number;
    @ApiProperty()
    offset!: number;
    @ApiProperty({ description: 'true when another page exists' })
    hasMore!: boolean;
  }
  return PageOf;
}

/** A page from rows fetched with `limit + 1`: the extra row only says whether there is more. */
export function toPage<T>(rows: T[], limit: number, offset: number): Page<T> {
  return { items: rows.slice(0, limit), limit, offset, hasMore: rows.length > limit };
}
