import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { CurrencyConvertResult, isTerminal } from '@conveyor/contracts';
import { TaskEventsService, TaskReportsService, TasksService } from '@conveyor/tasks/gateway';
import { ConversionCache } from './conversion-cache';
import type { ConversionAcceptedDto, ConversionDto, ConversionQueryDto } from './currencies.dto';
import { CurrencyError } from './currency.error';
import { normaliseAmount } from '../money';

export type ConversionAnswer =
  { status: 200; body: ConversionDto } | { status: 202; body: ConversionAcceptedDto };

/**
 * `GET /conversions`: an identical request answered in the last 30 minutes comes from the cache;
 * anything else runs a `currency.convert` task (on the high lane when asked) and waits for it, bounded.
 */
@Injectable()
export class ConversionsService implements OnModuleInit {
  constructor(
    private readonly tasks: TasksService,
    private readonly events: TaskEventsService,
    private readonly reports: TaskReportsService,
    private readonly cache: ConversionCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Every succeeded conversion lands in the cache, also those whose request stopped waiting. */
  onModuleInit(): void {
    this.reports.onSucceeded('currency.convert', (_tx, tasks) =>
      this.cache.put(tasks.map((t) => ({ result: t.result as CurrencyConvertResult, taskId: t.id }))),
    );
  }

  async convert(query: ConversionQueryDto): Promise<ConversionAnswer> {
    const amount = normaliseAmount(query.amount);
    if (amount === null) {
      throw new CurrencyError(
        'VALIDATION',
        'amount must be a positive decimal with at most 2 decimals and at most 1000000000000',
      );
    }
    const { from, to } = query;
    const priority = query.priority === 'true';
    const hit = await this.cache.get(from, to, amount);
    if (hit) {
      return {
        status: 200,
        body: { ...hit.result, cached: true, ageSeconds: hit.ageSeconds, priority, taskId: hit.taskId },
      };
    }
    const { task } = await this.tasks.create({
      type: 'currency.convert',
      payload: { from, to, amount },
      priority: priority ? 'high' : 'normal',
    });
    const now = await this.events.waitForEnd(task, this.config.conversions.waitMs);
    if (now.status === 'succeeded') {
      const result = now.result as CurrencyConvertResult;
      return { status: 200, body: { ...result, cached: false, priority, taskId: task.id } };
    }
    if (isTerminal(now.status)) {
      throw new CurrencyError(
        'UPSTREAM',
        `conversion task ${task.id} ended ${now.status}: ${now.error?.message ?? 'no error recorded'}`,
      );
    }
    return {
      status: 202,
      body: {
        taskId: task.id,
        status: now.status,
        url: `/tasks/${task.id}`,
        eventsUrl: `/tasks/${task.id}/events`,
        message: `not done within ${this.config.conversions.waitMs} ms; the task goes on and its result will be cached`,
      },
    };
  }
}
