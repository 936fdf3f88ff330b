import { Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { Page, toPage } from '@conveyor/common';
import { TasksService } from '@conveyor/tasks/gateway';
import { nextFire, nextFires, timingOf, timingProblems } from './schedule-times';
import { ScheduleRunsRepository } from './schedule-runs.repository';
import { ScheduleCreateDto, ScheduleDetailDto, ScheduleDto, SchedulePatchDto } from './schedules.dto';
import { SchedulesError } from './schedules.error';
import { ScheduleFields, ScheduleRow, SchedulesRepository } from './schedules.repository';

const iso = (d: Date | null) => d?.toISOString() ?? null;

function view(s: ScheduleRow): ScheduleDto {
  return {
    id: s.id,
    name: s.name,
    cron: s.cron,
    everySeconds: s.everySeconds,
    timezone: s.timezone,
    task: s.task,
    overlap: s.overlap,
    catchUp: s.catchUp,
    startAt: iso(s.startAt),
    endAt: iso(s.endAt),
    paused: s.paused,
    builtin: s.builtin,
    nextFireAt: iso(s.nextFireAt),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

/** Schedules through the API: validated whole (timing and task) before anything is written. */
@Injectable()
export class SchedulesService {
  constructor(
    private readonly repo: SchedulesRepository,
    private readonly runs: ScheduleRunsRepository,
    private readonly tasks: TasksService,
  ) {}

  async create(dto: ScheduleCreateDto): Promise<ScheduleDto> {
    const now = new Date();
    const fields = this.checked(
      {
        id: uuidv7(),
        name: dto.name,
        cron: dto.cron ?? null,
        everySeconds: dto.everySeconds ?? null,
        timezone: dto.timezone ?? 'UTC',
        task: dto.task,
        overlap: dto.overlap ?? 'skip',
        catchUp: dto.catchUp ?? 'latest',
        startAt: dto.startAt ? new Date(dto.startAt) : null,
        endAt: dto.endAt ? new Date(dto.endAt) : null,
        paused: dto.paused ?? false,
        nextFireAt: null,
        builtin: false,
      },
      now,
    );
    return view(await this.repo.insert(fields, now));
  }

  async update(id: string, dto: SchedulePatchDto): Promise<ScheduleDto> {
    const s = await this.found(id);
    if (
      s.builtin &&
      (dto.cron !== undefined ||
        dto.everySeconds !== undefined ||
        dto.task !== undefined ||
        dto.name !== undefined)
    )
      throw new SchedulesError(
        'CONFLICT',
        `${s.name} is built in: its timing and task follow its setting (pause or resume it)`,
      );
    const has = <K extends keyof SchedulePatchDto>(k: K) => Object.prototype.hasOwnProperty.call(dto, k);
    // Giving one way of timing replaces the other.
    const cron = has('cron')
      ? (dto.cron ?? null)
      : has('everySeconds') && dto.everySeconds != null
        ? null
        : s.cron;
    const everySeconds = has('everySeconds')
      ? (dto.everySeconds ?? null)
      : has('cron') && dto.cron != null
        ? null
        : s.everySeconds;
    const fields = this.checked(
      {
        ...s,
        name: dto.name ?? s.name,
        cron,
        everySeconds,
        timezone: dto.timezone ?? s.timezone,
        task: dto.task ?? s.task,
        overlap: dto.overlap ?? s.overlap,
        catchUp: dto.catchUp ?? s.catchUp,
        startAt: has('startAt') ? (dto.startAt ? new Date(dto.startAt) : null) : s.startAt,
        endAt: has('endAt') ? (dto.endAt ? new Date(dto.endAt) : null) : s.endAt,
        paused: dto.paused ?? s.paused,
      },
      s.createdAt,
    );
    const row = await this.repo.update(fields);
    if (!row) throw new SchedulesError('NOT_FOUND', `schedule ${id} not found`);
    return view(row);
  }

  async get(id: string): Promise<ScheduleDetailDto> {
    const s = await this.found(id);
    const runs = await this.runs.latest(id, 20);
    const upcoming =
      s.paused || !s.nextFireAt ? [] : [s.nextFireAt, ...nextFires(timingOf(s), s.nextFireAt, 4)];
    return {
      ...view(s),
      nextFires: upcoming.map((d) => d.toISOString()),
      runs: runs.map((r) => ({ fireAt: r.fireAt.toISOString(), taskId: r.taskId, outcome: r.outcome })),
    };
  }

  async list(limit: number, offset: number): Promise<Page<ScheduleDto>> {
    const rows = await this.repo.list(limit + 1, offset);
    return toPage(rows.map(view), limit, offset);
  }

  async delete(id: string): Promise<void> {
    const s = await this.found(id);
    if (s.builtin) throw new SchedulesError('CONFLICT', `${s.name} is built in: pause it instead`);
    await this.repo.delete(id);
  }

  /** Validates timing and task (400 naming the problem) and sets the next fire time. */
  private checked(f: ScheduleFields, anchor: Date): ScheduleFields {
    const problems = timingProblems(f);
    if (problems.length > 0) throw new SchedulesError('VALIDATION', problems.join('; '));
    this.tasks.prepare(f.task, 'task.', null); // throws a 400 naming what is wrong with the task
    const timing = timingOf({ ...f, createdAt: anchor });
    // From now on: a resumed or changed schedule does not catch up on what it was not meant to run.
    return { ...f, nextFireAt: nextFire(timing, new Date()) };
  }

  private async found(id: string): Promise<ScheduleRow> {
    const s = await this.repo.find(id);
    if (!s) throw new SchedulesError('NOT_FOUND', `schedule ${id} not found`);
    return s;
  }
}
