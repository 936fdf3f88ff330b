import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundLoop } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { isTerminal } from '@conveyor/contracts';
import { Database, Tx, sqlState } from '@conveyor/db';
import { OutboxRelay, TasksRepository, TasksService } from '@conveyor/tasks/gateway';
import { dueTicks, nextFire, timingOf } from './schedule-times';

type PreparedTask = ReturnType<TasksService['prepare']>;
import { RunOutcome, ScheduleRunsRepository } from './schedule-runs.repository';
import { ScheduleRow, SchedulesRepository } from './schedules.repository';

/** Schedules one pass locks at most; the rest wait for the next pass (or another gateway's). */
const PER_PASS = 20;
/** A tick later than this when first seen was missed (the gateways were down): catchUp decides. */
const ON_TIME_MS = 5000;

/**
 * Every gateway runs one: each pass locks the due schedules (FOR UPDATE SKIP LOCKED, so gateways
 * share them out) and, for each tick, claims its run row (unique per schedule and fire time) and
 * creates its task and outbox message in the same transaction. However many gateways run and
 * whichever crashes, a tick creates one task or none.
 */
@Injectable()
export class Scheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Scheduler.name);
  private readonly loop: BackgroundLoop;

  constructor(
    private readonly db: Database,
    private readonly schedules: SchedulesRepository,
    private readonly runs: ScheduleRunsRepository,
    private readonly tasks: TasksService,
    private readonly taskRows: TasksRepository,
    private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new BackgroundLoop(() => this.pass(), {
      idleMs: config.schedules.pollMs,
      maxBackoffMs: 5000,
      onError: (err, retryInMs) =>
        this.logger.warn(`schedules pass failed (${err.message}); again in ${retryInMs} ms`),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** A schedule changed: look at once instead of at the next poll. */
  wake(): void {
    this.loop.wake();
  }

  /** One pass; true when more schedules may be due right now. */
  async pass(): Promise<boolean> {
    let created = 0;
    const claimed = await this.db.transaction(async (tx) => {
      const due = await this.schedules.claimDue(tx, PER_PASS);
      for (const schedule of due) created += await this.fire(tx, schedule, new Date());
      return due.length;
    });
    if (created > 0) this.relay.wake();
    return claimed === PER_PASS;
  }

  /** The due ticks of one locked schedule; answers how many tasks it created. */
  private async fire(tx: Tx, s: ScheduleRow, now: Date): Promise<number> {
    const timing = timingOf(s);
    const { ticks, dropped } = dueTicks(timing, s.nextFireAt as Date, now, this.config.schedules.catchUpMax);
    if (dropped > 0)
      this.logger.warn(`schedule ${s.name}: ${dropped} missed ticks past SCHEDULE_CATCH_UP_MAX not run`);
    const latest = ticks[ticks.length - 1];
    let lastTask = s.lastTaskId;
    let created = 0;
    for (const fireAt of ticks) {
      const late = now.getTime() - fireAt.getTime() > ON_TIME_MS;
      const wanted = !late || s.catchUp === 'all' || (s.catchUp === 'latest' && fireAt === latest);
      let outcome: RunOutcome = wanted ? 'created' : 'missed';
      if (wanted && s.overlap === 'skip' && lastTask && !(await this.finished(lastTask))) outcome = 'skipped';
      let prepared: PreparedTask | undefined;
      try {
        if (outcome === 'created') prepared = this.tasks.prepare(s.task, 'task.', null);
      } catch (err) {
        // Its task no longer passes validation (a task type changed): the tick is refused, not retried.
        this.logger.warn(
          `schedule ${s.name}: tick ${fireAt.toISOString()} refused: ${(err as Error).message}`,
        );
        outcome = 'refused';
      }
      if (prepared && (await this.create(tx, s, fireAt, prepared))) {
        lastTask = prepared.task.id;
        created++;
      } else if (!prepared) {
        await this.runs.claim(tx, s.id, fireAt, outcome, null);
      }
    }
    const next = latest ? nextFire(timing, latest) : nextFire(timing, now);
    await this.schedules.advance(tx, s.id, next, lastTask);
    await this.runs.prune(tx, s.id);
    return created;
  }

  /**
   * Claims the tick and creates its task. A task a unique index refuses (the plans sync allows one
   * at a time, and one started by hand may be running) makes the tick `skipped`, not the pass fail.
   */
  private async create(tx: Tx, s: ScheduleRow, fireAt: Date, prepared: PreparedTask): Promise<boolean> {
    await tx.query('SAVEPOINT tick');
    try {
      if (!(await this.runs.claim(tx, s.id, fireAt, 'created', prepared.task.id))) return false;
      await this.taskRows.insertMany([prepared], tx);
      return true;
    } catch (err) {
      if (sqlState(err).code !== '23505') throw err;
      await tx.query('ROLLBACK TO SAVEPOINT tick');
      await this.runs.claim(tx, s.id, fireAt, 'skipped', null);
      return false;
    }
  }

  /** Whether a schedule's last task has finished (or is gone). */
  private async finished(taskId: string): Promise<boolean> {
    const task = await this.taskRows.findById(taskId);
    return !task || isTerminal(task.status);
  }
}
