import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches } from 'class-validator';
import { AMOUNT_PATTERN, CURRENCY_CODES } from './currencies';

export class CurrencyConvertPayloadDto {
  @ApiProperty({ description: 'ISO 4217 code, upper case', example: 'USD' })
  @IsIn(CURRENCY_CODES)
  from!: string;

  @ApiProperty({ description: 'ISO 4217 code, upper case', example: 'BRL' })
  @IsIn(CURRENCY_CODES)
  to!: string;

  @ApiProperty({ description: 'Decimal text with at most 2 decimals', example: '10.50' })
  @IsString()
  @Matches(AMOUNT_PATTERN, { message: 'amount must be a decimal with at most 2 decimals' })
  amount!: string;
}

/** Decimals travel as text so no binary float ever touches a user's money. */
export interface CurrencyConvertResult {
  from: string;
  to: string;
  amount: string;
  rate: string;
  result: string;
  rateDate: string;
}
