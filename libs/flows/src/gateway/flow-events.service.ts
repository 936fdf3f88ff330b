import { Inject, Injectable, Logger } from '@nestjs/common';
import { Observable } from 'rxjs';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { TasksRepository } from '@conveyor/tasks/gateway';
import { countStatuses } from './flow-view';
import type { FlowDto, FlowNodeDto, FlowSummaryDto } from './flows.dto';
import { FlowsError } from './flows.error';
import { FlowsService, nodeOf, summary } from './flows.service';

/** One server-sent event: `flow` (the whole flow at first, its summary at the end) or `task` (a node that changed). */
export type FlowEvent =
  { type: 'flow'; data: FlowDto | FlowSummaryDto } | { type: 'task'; data: FlowNodeDto };

/** Flow streams a gateway holds open at once; more answer 503 (each polls up to 1,000 rows). */
export const MAX_FLOW_STREAMS = 200;

/**
 * Live progress for `GET /flows/:id/events`: the flow as it is, then a `task` event for each task
 * whose status or attempt changed (polled every EVENTS_POLL_MS, so any gateway's changes show),
 * and a last `flow` event once every task finished.
 */
@Injectable()
export class FlowEventsService {
  private readonly logger = new Logger(FlowEventsService.name);
  private open = 0;

  constructor(
    private readonly flows: FlowsService,
    private readonly taskRows: TasksRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async watch(id: string): Promise<Observable<FlowEvent>> {
    const start = await this.flows.get(id);
    if (this.open >= MAX_FLOW_STREAMS) {
      throw new FlowsError(
        'UNAVAILABLE',
        `this gateway already serves ${MAX_FLOW_STREAMS} flow streams; retry later`,
      );
    }
    return new Observable<FlowEvent>((subscriber) => {
      subscriber.next({ type: 'flow', data: start });
      if (start.status !== 'running') {
        subscriber.complete();
        return;
      }
      this.open++;
      const dependsOn = new Map(start.tasks.map((t) => [t.taskId, t.dependsOn]));
      const seen = new Map(start.tasks.map((t) => [t.taskId, version(t)]));
      let polling = false;
      const poll = async () => {
        if (polling) return;
        polling = true;
        try {
          const rows = await this.taskRows.findByFlow(id);
          for (const row of rows) {
            const node = nodeOf(row, dependsOn.get(row.id) ?? []);
            if (seen.get(row.id) === version(node)) continue;
            seen.set(row.id, version(node));
            subscriber.next({ type: 'task', data: node });
          }
          const end = summary(start, countStatuses(rows.map((r) => r.status)));
          if (rows.length === 0 || end.status !== 'running') {
            subscriber.next({ type: 'flow', data: end });
            subscriber.complete();
          }
        } catch (err) {
          // The database is away: the stream stays open and catches up at the next successful poll.
          this.logger.warn(`flow events poll failed: ${(err as Error).message}`);
        } finally {
          polling = false;
        }
      };
      const timer = setInterval(() => void poll(), this.config.eventsPollMs);
      return () => {
        clearInterval(timer);
        this.open--;
      };
    });
  }
}

function version(node: FlowNodeDto): string {
  return `${node.status}|${node.attempts}`;
}
