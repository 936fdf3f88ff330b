import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '@conveyor/access/gateway';
import { RedisHealth } from '@conveyor/common';
import { AmqpHealth } from '@conveyor/messaging';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: TypeOrmHealthIndicator,
    private readonly redis: RedisHealth,
    private readonly rabbitmq: AmqpHealth,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({
    summary: 'Liveness and readiness of PostgreSQL, Redis and RabbitMQ (503 when one is down)',
    description: 'Each store is checked with a short deadline, so the answer comes within about 2 s.',
  })
  check() {
    return this.health.check([
      () => this.postgres.pingCheck('postgres').withTimeout(1500),
      () => this.redis.check(),
      () => this.rabbitmq.check(),
    ]);
  }
}
