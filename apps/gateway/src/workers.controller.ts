import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '@conveyor/access/gateway';
import { ErrorResponseDto } from '@conveyor/common';
import { WorkerListDto, WorkersQueryDto, WorkersService } from '@conveyor/workers/gateway';

@ApiTags('workers')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('workers')
export class WorkersController {
  constructor(private readonly workers: WorkersService) {}

  @Get()
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'List the workers',
    description:
      'Each worker announces itself over RabbitMQ every WORKER_HEARTBEAT_MS (5 s): host, pid, version, ' +
      'the RabbitMQ node it is connected to, its lanes with their slots and messages in flight, its CPU ' +
      'pool. A worker is `gone` after three missed heartbeats and `stopped` when it shut down; one not ' +
      'heard of for 24 hours is forgotten. Up first, then gone, then stopped.',
  })
  @ApiOkResponse({ type: WorkerListDto })
  list(@Query() q: WorkersQueryDto): Promise<WorkerListDto> {
    return this.workers.list(q);
  }
}
