import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { SchedulesRepository } from './schedules.repository';

/** Name of the built-in schedule of the plans sync. */
export const PLANS_SYNC_SCHEDULE = 'plans.sync';

/**
 * The plans sync is a schedule like any other, made and set by every gateway at start-up from
 * SYNC_INTERVAL_SECONDS (0: paused, syncs only by hand): due at once, so a sync runs at start-up as
 * before, then every interval; overlap skip, so never two at once. The last gateway started sets it.
 */
@Injectable()
export class BuiltinSchedules implements OnApplicationBootstrap {
  constructor(
    private readonly repo: SchedulesRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const seconds = this.config.plans.syncIntervalMs / 1000;
    await this.repo.upsertBuiltin({
      name: PLANS_SYNC_SCHEDULE,
      // A paused schedule still has a timing (the table's check); 300 s is the setting's default.
      everySeconds: seconds || 300,
      paused: seconds === 0,
      // One attempt: the next tick is the retry, and a failed run is recorded as such.
      task: { type: 'plans.sync', payload: { trigger: 'schedule' }, maxAttempts: 1 },
    });
  }
}
