import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Put,
  Query,
  BadRequestException,
} from '@nestjs/common';
import { RequireScope } from '@conveyor/access/gateway';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { USER_ID_MAX } from '@conveyor/contracts';
import { ErrorResponseDto, PageQueryDto } from '@conveyor/common';
import {
  UserCreateDto,
  UserDto,
  UserListDto,
  UserPatchDto,
  UserReplaceDto,
  UsersService,
} from '@conveyor/users/gateway';

/** A user id from the path: an integer from 1 to USER_ID_MAX, or 400. */
const badId = () => new BadRequestException(`id must be an integer from 1 to ${USER_ID_MAX}`);
const userId = new ParseIntPipe({
  exceptionFactory: badId,
});
const inRange = {
  transform(id: number): number {
    if (id < 1 || id > USER_ID_MAX) throw badId();
    return id;
  },
};

@ApiTags('users')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @RequireScope('users:read')
  @ApiOperation({ summary: 'List users by id', description: 'A page is `{items, limit, offset, hasMore}`.' })
  @ApiOkResponse({ type: UserListDto })
  list(@Query() q: PageQueryDto): Promise<UserListDto> {
    return this.users.list(q.limit, q.offset);
  }

  @Get(':id')
  @RequireScope('users:read')
  @ApiOperation({
    summary: 'Get a user',
    description: 'With how often its ID was processed (`processCount`) and when last (`lastProcessedAt`).',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id', userId, inRange) id: number): Promise<UserDto> {
    return this.users.get(id);
  }

  @Post()
  @RequireScope('users:write')
  @ApiOperation({
    summary: 'Create a user (with your own id, or one is assigned)',
    description: 'The email is unique, case-insensitively.',
  })
  @ApiCreatedResponse({ type: UserDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The id or the email is taken' })
  create(@Body() dto: UserCreateDto): Promise<UserDto> {
    return this.users.create(dto);
  }

  @Put(':id')
  @RequireScope('users:write')
  @ApiOperation({
    summary: 'Replace a user (name and email)',
    description: 'name and email are required; lastSignedInAt is set to the value given, or cleared.',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The email is taken' })
  replace(@Param('id', userId, inRange) id: number, @Body() dto: UserReplaceDto): Promise<UserDto> {
    return this.users.replace(id, dto);
  }

  @Patch(':id')
  @RequireScope('users:write')
  @ApiOperation({
    summary: 'Change some fields of a user',
    description: 'Only the fields given change (`lastSignedInAt: null` clears it); an empty body is refused.',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The email is taken' })
  patch(@Param('id', userId, inRange) id: number, @Body() dto: UserPatchDto): Promise<UserDto> {
    return this.users.patch(id, dto);
  }

  @Delete(':id')
  @RequireScope('users:write')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a user',
    description: 'A later user.process task for its ID creates it again.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  delete(@Param('id', userId, inRange) id: number): Promise<void> {
    return this.users.delete(id);
  }
}
