import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { Database, Tx, execute, sqlState } from '@conveyor/db';
import type { CatchUp, Overlap } from './schedules.dto';
import { SchedulesError } from './schedules.error';

/** The task a tick creates, as stored. */
export interface ScheduledTask {
  type: string;
  payload: Record<string, unknown>;
  priority?: 'normal' | 'high';
  maxAttempts?: number;
}

export interface ScheduleRow {
  id: string;
  name: string;
  cron: string | null;
  everySeconds: number | null;
  timezone: string;
  task: ScheduledTask;
  overlap: Overlap;
  catchUp: CatchUp;
  startAt: Date | null;
  endAt: Date | null;
  paused: boolean;
  nextFireAt: Date | null;
  lastTaskId: string | null;
  builtin: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type ScheduleFields = Omit<ScheduleRow, 'lastTaskId' | 'createdAt' | 'updatedAt'>;

const COLUMNS = `id, name, cron, every_seconds AS "everySeconds", timezone, task, overlap,
  catch_up AS "catchUp", start_at AS "startAt", end_at AS "endAt", paused, next_fire_at AS "nextFireAt",
  last_task_id AS "lastTaskId", builtin, created_at AS "createdAt", updated_at AS "updatedAt"`;

const FIELDS = [
  'name',
  'cron',
  'every_seconds',
  'timezone',
  'task',
  'overlap',
  'catch_up',
  'start_at',
  'end_at',
  'paused',
  'next_fire_at',
  'builtin',
] as const;

function values(s: ScheduleFields): unknown[] {
  return [
    s.name,
    s.cron,
    s.everySeconds,
    s.timezone,
    JSON.stringify(s.task),
    s.overlap,
    s.catchUp,
    s.startAt,
    s.endAt,
    s.paused,
    s.nextFireAt,
    s.builtin,
  ];
}

/** Every SQL statement about schedules. */
@Injectable()
export class SchedulesRepository {
  constructor(private readonly db: Database) {}

  /** `createdAt` is where everySeconds counts from: the time the next fire was computed with. */
  async insert(s: ScheduleFields, createdAt: Date): Promise<ScheduleRow> {
    return unique(async () => {
      const rows: ScheduleRow[] = await this.db.query(
        `INSERT INTO schedules (id, created_at, ${FIELDS.join(', ')})
         VALUES ($1, $2, ${FIELDS.map((_, i) => `$${i + 3}`).join(', ')}) RETURNING ${COLUMNS}`,
        [s.id, createdAt, ...values(s)],
      );
      return rows[0];
    }, s.name);
  }

  /** Replaces every field but the id and the last task. */
  async update(s: ScheduleFields): Promise<ScheduleRow | null> {
    return unique(async () => {
      const { rows } = await execute<ScheduleRow>(
        this.db,
        `UPDATE schedules SET ${FIELDS.map((f, i) => `${f} = $${i + 2}`).join(', ')}, updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [s.id, ...values(s)],
      );
      return rows[0] ?? null;
    }, s.name);
  }

  async find(id: string): Promise<ScheduleRow | null> {
    const rows: ScheduleRow[] = await this.db.query(`SELECT ${COLUMNS} FROM schedules WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async findByName(name: string): Promise<ScheduleRow | null> {
    const rows: ScheduleRow[] = await this.db.query(`SELECT ${COLUMNS} FROM schedules WHERE name = $1`, [
      name,
    ]);
    return rows[0] ?? null;
  }

  async list(limit: number, offset: number): Promise<ScheduleRow[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM schedules ORDER BY name LIMIT $1 OFFSET $2`, [
      limit,
      offset,
    ]);
  }

  async delete(id: string): Promise<boolean> {
    const { count } = await execute(this.db, `DELETE FROM schedules WHERE id = $1 AND NOT builtin`, [id]);
    return count > 0;
  }

  /** Creates or resets a built-in schedule: due now, every `everySeconds`, overlap skip. */
  async upsertBuiltin(b: {
    name: string;
    everySeconds: number;
    paused: boolean;
    task: ScheduledTask;
  }): Promise<void> {
    await this.db.query(
      `INSERT INTO schedules (id, name, every_seconds, timezone, task, overlap, catch_up, paused, next_fire_at, builtin)
       VALUES ($1, $2, $3, 'UTC', $4, 'skip', 'latest', $5, now(), true)
       ON CONFLICT (name) DO UPDATE SET every_seconds = $3, cron = NULL, task = $4, paused = $5,
         next_fire_at = now(), builtin = true, updated_at = now()`,
      [uuidv7(), b.name, b.everySeconds, JSON.stringify(b.task), b.paused],
    );
  }

  /** Due schedules, locked for this transaction; another gateway's pass skips them. */
  async claimDue(tx: Tx, limit: number): Promise<ScheduleRow[]> {
    return tx.query(
      `SELECT ${COLUMNS} FROM schedules WHERE NOT paused AND next_fire_at <= now()
       ORDER BY next_fire_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  async advance(tx: Tx, id: string, nextFireAt: Date | null, lastTaskId: string | null): Promise<void> {
    await tx.query(
      `UPDATE schedules SET next_fire_at = $2, last_task_id = COALESCE($3, last_task_id) WHERE id = $1`,
      [id, nextFireAt, lastTaskId],
    );
  }
}

async function unique<T>(work: () => Promise<T>, name: string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (sqlState(err).code === '23505')
      throw new SchedulesError('CONFLICT', `a schedule named '${name}' exists`);
    throw err;
  }
}
