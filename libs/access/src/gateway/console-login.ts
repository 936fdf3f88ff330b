import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import type { Scope } from './scopes';

export class LoginDto {
  @ApiProperty({ description: 'An API key', example: 'cvk_example-not-a-real-key' })
  @IsString({ message: 'key must be a string' })
  @Matches(/^[\x21-\x7e]{1,200}$/, { message: 'key must be 1 to 200 visible ASCII characters' })
  key!: string;
}

export class SessionDto {
  @ApiProperty({ description: 'The key’s name', example: 'console' })
  name!: string;
  @ApiProperty({
    description: 'What it may do: a read-only key gets no buttons in the console',
    example: ['tasks:read'],
  })
  scopes!: Scope[];
}
