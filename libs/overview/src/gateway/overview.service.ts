import { Injectable } from '@nestjs/common';
import { OverviewDto } from './overview.dto';
import { OverviewRepository } from './overview.repository';
import { RabbitManagement } from './rabbit-management';

const WINDOW_S = 900;
const STEP_S = 15;
/** Every open console asks every few seconds: one answer serves all of them for this long. */
const FRESH_MS = 2000;

/** The console's overview: tasks, latency, the outbox and the work queues over the last 15 minutes. */
@Injectable()
export class OverviewService {
  private last?: { at: number; answer: Promise<OverviewDto> };

  constructor(
    private readonly repository: OverviewRepository,
    private readonly rabbit: RabbitManagement,
  ) {}

  overview(): Promise<OverviewDto> {
    const now = Date.now();
    if (this.last && now - this.last.at < FRESH_MS) return this.last.answer;
    const answer = this.compute();
    this.last = { at: now, answer };
    answer.catch(() => (this.last = undefined)); // a failure is not served to the next caller
    return answer;
  }

  private async compute(): Promise<OverviewDto> {
    const [active, finished, outbox, queues] = await Promise.all([
      this.repository.active(),
      this.repository.finished(WINDOW_S, STEP_S),
      this.repository.outbox(),
      this.rabbit.configured ? this.rabbit.workQueues(WINDOW_S, STEP_S) : Promise.resolve(null),
    ]);
    return {
      generatedAt: new Date().toISOString(),
      windowSeconds: WINDOW_S,
      stepSeconds: STEP_S,
      tasks: { active, finished: finished.byStatus, sampled: finished.sampled },
      latency: finished.buckets.map((b) => ({ ...b, at: Number(b.at) })),
      outbox,
      queues,
    };
  }
}
