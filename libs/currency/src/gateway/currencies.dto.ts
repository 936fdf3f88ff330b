import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ApiSchemaExample } from '@conveyor/common';
import { CURRENCY_CODES } from '@conveyor/contracts';

export class CurrencyDto {
  @ApiProperty({ example: 'USD' })
  code!: string;
  @ApiProperty({ example: 'US dollar' })
  name!: string;
  @ApiProperty({ description: 'Decimals of an amount in this currency (ISO 4217)', example: 2 })
  minorUnits!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Units per 1 EUR, as decimal text; null until the first refresh',
    example: '1.1577',
  })
  rate!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date', example: '2026-11-20' })
  rateDate!: string | null;
}

export class CurrencyListDto {
  @ApiProperty({ type: [CurrencyDto] })
  items!: CurrencyDto[];
}

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);
const codeMessage = (name: string) =>
  `${name} must be a supported ISO 4217 code (GET /currencies lists them)`;

export class ConversionQueryDto {
  @ApiProperty({ description: 'ISO 4217 code, any case', example: 'USD' })
  @Transform(upper)
  @IsIn(CURRENCY_CODES, { message: codeMessage('from') })
  from!: string;

  @ApiProperty({ description: 'ISO 4217 code, any case', example: 'BRL' })
  @Transform(upper)
  @IsIn(CURRENCY_CODES, { message: codeMessage('to') })
  to!: string;

  @ApiProperty({ description: 'Positive decimal, at most 2 decimals, at most 1e12', example: '10.50' })
  @IsString()
  @MaxLength(20)
  amount!: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'Run on the high lane' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'priority must be true or false' })
  priority?: 'true' | 'false';
}

@ApiSchemaExample({
  from: 'USD',
  to: 'BRL',
  amount: '10.50',
  rate: '5.330396476',
  result: '55.97',
  rateDate: '2026-11-20',
  cached: false,
  priority: false,
  taskId: '019ad9a4-5c00-7a2e-9f3b-6c1d2e3f4a5b',
})
export class ConversionDto {
  @ApiProperty({ example: 'USD' })
  from!: string;
  @ApiProperty({ example: 'BRL' })
  to!: string;
  @ApiProperty({ description: 'Decimal text', example: '10.50' })
  amount!: string;
  @ApiProperty({
    description: 'Units of `to` per unit of `from`, 10 significant digits',
    example: '5.330396476',
  })
  rate!: string;
  @ApiProperty({ description: "Rounded half-even to the target's minor units", example: '55.97' })
  result!: string;
  @ApiProperty({ format: 'date', description: 'Date of the rate table used', example: '2026-11-20' })
  rateDate!: string;
  @ApiProperty({ description: 'Answered from the cache of identical requests' })
  cached!: boolean;
  @ApiPropertyOptional({
    description: 'Age of the cached answer in seconds (cached answers only)',
    example: 42,
  })
  ageSeconds?: number;
  @ApiProperty()
  priority!: boolean;
  @ApiProperty({ format: 'uuid', description: 'The task that computed it' })
  taskId!: string;
}

export class ConversionAcceptedDto {
  @ApiProperty({ format: 'uuid' })
  taskId!: string;
  @ApiProperty({ example: 'running' })
  status!: string;
  @ApiProperty({ example: '/tasks/019ad9a4-5c00-7a2e-9f3b-6c1d2e3f4a5b' })
  url!: string;
  @ApiProperty({ example: '/tasks/019ad9a4-5c00-7a2e-9f3b-6c1d2e3f4a5b/events' })
  eventsUrl!: string;
  @ApiProperty()
  message!: string;
}
