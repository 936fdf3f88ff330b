import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { RedisHealth } from '@conveyor/common';
import { AmqpHealth } from '@conveyor/messaging';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: RedisHealth,
    private readonly rabbitmq: AmqpHealth,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.redis.check(), () => this.rabbitmq.check()]);
  }
}
