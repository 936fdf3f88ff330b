import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { PlansService } from './plans.service';

/** Starts a plans sync at start-up and every SYNC_INTERVAL_SECONDS (0: only by hand). */
@Injectable()
export class PlansScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PlansScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly plans: PlansService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.plans.syncIntervalMs;
    if (every === 0) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), every);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    try {
      const { task, created } = await this.plans.requestSync('schedule');
      if (!created) this.logger.log(`plans sync skipped: ${task.id} is still ${task.status}`);
    } catch (err) {
      this.logger.warn(`plans sync not scheduled: ${(err as Error).message}`);
    }
  }
}
