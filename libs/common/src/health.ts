import { Injectable, Module } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { RedisService } from './redis.module';

/** `/health`'s view of Redis; the broker's check is the messaging lib's, PostgreSQL's the gateway's. */
@Injectable()
export class RedisHealth {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly redisClient: RedisService,
  ) {}

  check() {
    return this.indicators
      .check('redis')
      .attempt(async () => {
        await this.redisClient.ping();
      })
      .withTimeout(1000);
  }
}

@Module({ imports: [TerminusModule], providers: [RedisHealth], exports: [TerminusModule, RedisHealth] })
export class HealthModule {}
