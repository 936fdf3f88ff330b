import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subscriber, lastValueFrom, takeUntil, timer } from 'rxjs';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { isTerminal } from '@conveyor/contracts';
import type { TaskResponseDto } from './tasks.dto';
import { TasksError } from './tasks.error';
import { TasksMetrics } from './tasks.metrics';
import { TasksRepository } from './tasks.repository';
import { taskView } from './task-view';

/** One server-sent event: the task as it is now. */
export interface TaskEvent {
  id: string;
  type: 'status';
  data: TaskResponseDto;
}

interface Watcher {
  subscriber: Subscriber<TaskEvent>;
  lastVersion: string;
}

/** Streams a gateway may hold open at once; more answer 503 rather than exhaust the process. */
export const MAX_EVENT_STREAMS = 1000;

/**
 * Live status for `GET /tasks/:id/events`. One poll of the task table per interval covers every
 * open stream (one query, however many clients), and it sees changes any gateway applied.
 */
@Injectable()
export class TaskEventsService implements OnModuleDestroy {
  private readonly logger = new Logger(TaskEventsService.name);
  private readonly watchers = new Map<string, Set<Watcher>>();
  private count = 0;
  private timer?: NodeJS.Timeout;
  private polling = false;
  private nudged = false;

  constructor(
    private readonly repo: TasksRepository,
    private readonly metrics: TasksMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The task's current state at once, then each change, completing at a terminal state. 404 if unknown. */
  async watch(id: string): Promise<Observable<TaskEvent>> {
    const row = await this.repo.findById(id);
    if (!row) throw new TasksError('NOT_FOUND', `task ${id} not found`);
    if (this.count >= MAX_EVENT_STREAMS) {
      throw new TasksError(
        'UNAVAILABLE',
        `this gateway already serves ${MAX_EVENT_STREAMS} event streams; retry later`,
      );
    }
    return this.follow(taskView(row));
  }

  /**
   * The task once it is terminal, or as it is after `timeoutMs` (say, for a request that waits for
   * its task's result). Not bounded by MAX_EVENT_STREAMS: each waiter ends by its own deadline.
   */
  async waitForEnd(task: TaskResponseDto, timeoutMs: number): Promise<TaskResponseDto> {
    const last = await lastValueFrom(this.follow(task).pipe(takeUntil(timer(timeoutMs))), {
      defaultValue: undefined,
    });
    return last?.data ?? task;
  }

  /** This gateway just applied changes to these tasks: poll now instead of at the next tick. */
  nudge(taskIds: readonly string[]): void {
    if (!taskIds.some((id) => this.watchers.has(id))) return;
    if (this.polling) this.nudged = true;
    else void this.poll();
  }

  private follow(task: TaskResponseDto): Observable<TaskEvent> {
    const id = task.id;
    return new Observable<TaskEvent>((subscriber) => {
      const watcher: Watcher = { subscriber, lastVersion: version(task) };
      subscriber.next(event(task));
      if (isTerminal(task.status)) {
        subscriber.complete();
        return;
      }
      this.add(id, watcher);
      return () => this.remove(id, watcher);
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    for (const set of this.watchers.values()) set.forEach((w) => w.subscriber.complete());
  }

  private add(id: string, watcher: Watcher): void {
    const set = this.watchers.get(id) ?? new Set();
    set.add(watcher);
    this.watchers.set(id, set);
    this.metrics.eventStreams.set(++this.count);
    this.timer ??= setInterval(() => void this.poll(), this.config.eventsPollMs);
  }

  private remove(id: string, watcher: Watcher): void {
    const set = this.watchers.get(id);
    if (!set?.delete(watcher)) return;
    if (set.size === 0) this.watchers.delete(id);
    this.metrics.eventStreams.set(--this.count);
    if (this.count === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async poll(): Promise<void> {
    if (this.polling || this.watchers.size === 0) return; // the previous poll is still out
    this.polling = true;
    try {
      const rows = await this.repo.findByIds([...this.watchers.keys()]);
      for (const task of rows.map(taskView)) {
        for (const watcher of this.watchers.get(task.id) ?? []) {
          const v = version(task);
          if (v === watcher.lastVersion) continue;
          watcher.lastVersion = v;
          watcher.subscriber.next(event(task));
          if (isTerminal(task.status)) watcher.subscriber.complete();
        }
      }
    } catch (err) {
      // The database is away: streams stay open and catch up at the next successful poll.
      this.logger.warn(`task events poll failed: ${(err as Error).message}`);
    } finally {
      this.polling = false;
    }
    if (this.nudged) {
      this.nudged = false;
      await this.poll();
    }
  }
}

function version(task: TaskResponseDto): string {
  return `${task.status}|${task.progress}|${task.attempts}|${new Date(task.updatedAt).getTime()}`;
}

function event(task: TaskResponseDto): TaskEvent {
  return { id: `${new Date(task.updatedAt).getTime()}`, type: 'status', data: task };
}
