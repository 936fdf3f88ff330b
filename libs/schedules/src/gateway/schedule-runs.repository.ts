import { Injectable } from '@nestjs/common';
import { Database, Tx } from '@conveyor/db';

/** skipped: the last task had not finished (overlap skip); missed: catchUp; refused: invalid task. */
export type RunOutcome = 'created' | 'skipped' | 'missed' | 'refused';

export interface ScheduleRunRow {
  fireAt: Date;
  taskId: string | null;
  outcome: RunOutcome;
}

/** How long runs are kept: the history a person looks at, not an archive. */
const KEEP_DAYS = 7;

/** The runs of schedules: one row per tick, its key (schedule, fire time) the proof it ran once. */
@Injectable()
export class ScheduleRunsRepository {
  constructor(private readonly db: Database) {}

  /** Claims a tick; false when it was claimed before (by another gateway, or an earlier pass). */
  async claim(
    tx: Tx,
    scheduleId: string,
    fireAt: Date,
    outcome: RunOutcome,
    taskId: string | null,
  ): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `INSERT INTO schedule_runs (schedule_id, fire_at, outcome, task_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [scheduleId, fireAt, outcome, taskId],
    );
    return rows.length === 1;
  }

  async prune(tx: Tx, scheduleId: string): Promise<void> {
    await tx.query(
      `DELETE FROM schedule_runs WHERE schedule_id = $1 AND fire_at < now() - make_interval(days => $2)`,
      [scheduleId, KEEP_DAYS],
    );
  }

  async latest(scheduleId: string, limit: number): Promise<ScheduleRunRow[]> {
    return this.db.query(
      `SELECT fire_at AS "fireAt", task_id AS "taskId", outcome FROM schedule_runs
       WHERE schedule_id = $1 ORDER BY fire_at DESC LIMIT $2`,
      [scheduleId, limit],
    );
  }
}
