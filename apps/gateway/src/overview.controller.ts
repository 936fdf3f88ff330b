import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '@conveyor/access/gateway';
import { OverviewDto, OverviewService } from '@conveyor/overview/gateway';

@ApiTags('console')
@Controller('overview')
export class OverviewController {
  constructor(private readonly overview: OverviewService) {}

  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'What the console overview shows',
    description:
      'Over the last 15 minutes, in 15 s buckets: tasks not finished by status, the finished ones by status ' +
      'and their submit-to-finish p50/p99 (of the newest 20,000 tasks created in the window), the outbox ' +
      'backlog, and each work queue from the RabbitMQ management API (depth, rates, consumers, samples), ' +
      'asked with the gateway’s own broker user. One answer serves every caller for 2 s.',
  })
  @ApiOkResponse({ type: OverviewDto })
  get(): Promise<OverviewDto> {
    return this.overview.overview();
  }
}
