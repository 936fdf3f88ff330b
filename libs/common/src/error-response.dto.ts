import { ApiProperty } from '@nestjs/swagger';

/** The body of every error answer (`HttpErrorFilter`): `{statusCode, error, message}`. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;
  @ApiProperty({ example: 'Bad Request' })
  error!: string;
  @ApiProperty({ example: 'payload.seconds must be a number conforming to the specified constraints' })
  message!: string;
}
