import { Controller, Get, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PageQueryDto } from '@conveyor/common';
import { PlanSyncListDto, PlansService, SearchResponseDto, SearchService } from '@conveyor/plans';
import { TaskResponseDto } from '@conveyor/tasks';
import type { TaskEntity } from '@conveyor/tasks';

@ApiTags('plans')
@Controller()
export class PlansController {
  constructor(
    private readonly plans: PlansService,
    private readonly searches: SearchService,
  ) {}

  @Post('plans/sync')
  @ApiOperation({ summary: 'Start a plans sync now', description: 'Never two at once.' })
  @ApiCreatedResponse({ type: TaskResponseDto, description: 'The plans.sync task started' })
  @ApiOkResponse({ type: TaskResponseDto, description: 'The sync already pending or running' })
  async sync(@Res({ passthrough: true }) reply: FastifyReply): Promise<TaskEntity> {
    const { task, created } = await this.plans.requestSync('manual');
    void reply.status(created ? 201 : 200);
    return task;
  }

  @Get('plans/syncs')
  @ApiOperation({ summary: 'Sync runs, newest first: started, finished, plans seen/new/changed/skipped' })
  @ApiOkResponse({ type: PlanSyncListDto })
  syncs(@Query() page: PageQueryDto): Promise<PlanSyncListDto> {
    return this.plans.listSyncs(page.limit, page.offset);
  }

  @Get('search')
  @ApiOperation({
    summary: 'Plans that start at or after starts_at and end at or before ends_at, by start',
    description:
      'Served from the read replica behind a 5-minute Redis cache. Errors: 400 `{data:null, error}`.',
  })
  @ApiQuery({ name: 'starts_at', required: false, example: '2021-02-01T00:00:00Z' })
  @ApiQuery({ name: 'ends_at', required: false, example: '2022-07-03T00:00:00Z' })
  @ApiOkResponse({ type: SearchResponseDto })
  async search(@Query() query: Record<string, unknown>, @Res() reply: FastifyReply): Promise<void> {
    const { status, json } = await this.searches.search(query);
    await reply.status(status).type('application/json; charset=utf-8').send(json);
  }
}
