import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScope } from '@conveyor/access/gateway';
import { ErrorResponseDto, PageQueryDto } from '@conveyor/common';
import { GroupDto, GroupLimitsDto, GroupListDto, GroupsService } from '@conveyor/groups/gateway';

const GROUP_PARAM = {
  name: 'group',
  description: '1 to 200 visible characters (URL-encoded in the path)',
  example: 'tenant-42',
};

@ApiTags('groups')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Put(':group')
  @RequireScope('admin')
  @ApiOperation({
    summary: "Set a group's limits",
    description:
      'Tasks that name the group (`group` on POST /tasks, a flow task or a schedule) then run at most ' +
      '`concurrency` at once and start at most `ratePerSecond` a second, across every gateway and worker. ' +
      'Tasks over a limit wait in the outbox; groups with waiting work are served in turn. A change takes ' +
      'effect at the next relay pass (within 100 ms).',
  })
  @ApiParam(GROUP_PARAM)
  @ApiCreatedResponse({ type: GroupDto, description: 'The group had no limits before' })
  @ApiOkResponse({ type: GroupDto, description: 'Its limits were changed' })
  async put(
    @Param('group') name: string,
    @Body() dto: GroupLimitsDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<GroupDto> {
    const { group, created } = await this.groups.put(name, dto);
    void reply.status(created ? 201 : 200);
    return group;
  }

  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'List groups with limits',
    description: 'By name, each with its limits and its running and waiting tasks.',
  })
  @ApiOkResponse({ type: GroupListDto })
  list(@Query() q: PageQueryDto): Promise<GroupListDto> {
    return this.groups.list(q.limit, q.offset);
  }

  @Get(':group')
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'A group: its limits and its running and waiting tasks',
    description: 'Also a group without limits that has unfinished tasks (its limits are null).',
  })
  @ApiParam(GROUP_PARAM)
  @ApiOkResponse({ type: GroupDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('group') name: string): Promise<GroupDto> {
    return this.groups.get(name);
  }

  @Delete(':group')
  @RequireScope('admin')
  @HttpCode(204)
  @ApiOperation({
    summary: "Remove a group's limits",
    description: 'Its waiting tasks are then published as if it had none.',
  })
  @ApiParam(GROUP_PARAM)
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async delete(@Param('group') name: string): Promise<void> {
    await this.groups.delete(name);
  }
}
