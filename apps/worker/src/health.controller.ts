import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ServiceHealth } from '@conveyor/common';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly services: ServiceHealth,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.services.redis(), () => this.services.rabbitmq()]);
  }
}
