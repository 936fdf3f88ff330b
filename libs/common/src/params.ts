import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/** An `:id` path parameter that must be a UUID: anything else is a 400 saying so. */
export const uuidParam = new ParseUUIDPipe({
  exceptionFactory: () => new BadRequestException('id must be a UUID'),
});
