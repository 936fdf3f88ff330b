import { Controller, Get, Post, Query, Res } from '@nestjs/common';
import { RequireScope } from '@conveyor/access/gateway';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PageQueryDto } from '@conveyor/common';
import { PlanSyncListDto, PlansService } from '@conveyor/plans/gateway';
import { TaskResponseDto } from '@conveyor/tasks/gateway';

@ApiTags('plans')
@Controller()
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Post('plans/sync')
  @RequireScope('tasks:write')
  @ApiOperation({
    summary: 'Start a plans sync now',
    description: 'Never two at once: while one is pending or running, the answer is that one, with 200.',
  })
  @ApiCreatedResponse({ type: TaskResponseDto, description: 'The plans.sync task started' })
  @ApiOkResponse({ type: TaskResponseDto, description: 'The sync already pending or running' })
  async sync(@Res({ passthrough: true }) reply: FastifyReply): Promise<TaskResponseDto> {
    const { task, created } = await this.plans.requestSync('manual');
    void reply.status(created ? 201 : 200);
    return task;
  }

  @Get('plans/syncs')
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'Sync runs, newest first: started, finished, plans seen/new/changed/skipped',
    description: 'Manual and scheduled runs alike; a page is `{items, limit, offset, hasMore}`.',
  })
  @ApiOkResponse({ type: PlanSyncListDto })
  syncs(@Query() page: PageQueryDto): Promise<PlanSyncListDto> {
    return this.plans.listSyncs(page.limit, page.offset);
  }
}
