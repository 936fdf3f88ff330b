import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '@conveyor/config';

/** One Redis client per process; commands fail fast instead of queueing while Redis is down. */
@Injectable()
export class RedisService extends Redis implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config.redis.url, {
      maxRetriesPerRequest: 1,
      // Commands issued in the same tick share one write (the worker checks every task it takes).
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.on('error', () => undefined); // reconnects on its own; health reports the state
  }

  async onApplicationShutdown(): Promise<void> {
    await this.quit().catch(() => undefined);
  }
}

@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
