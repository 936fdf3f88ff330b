import { Inject, Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { RedisService, toPage } from '@conveyor/common';
import {
  ControlMessage,
  TASK_TYPES,
  canTransition,
  cancelMarkKey,
  isTerminal,
  checkPayload,
  findTaskType,
} from '@conveyor/contracts';
import { AmqpService, EXCHANGES } from '@conveyor/messaging';
import {
  MAX_DELAY_SECONDS,
  TaskAttemptListDto,
  TaskCreateDto,
  TaskListResponseDto,
  TaskResponseDto,
} from './tasks.dto';
import { TaskListQueryDto } from './task-list-query.dto';
import { taskOutboxMessage } from './task-message';
import { TaskAttemptsRepository } from './task-attempts.repository';
import { TasksError } from './tasks.error';
import { MAX_ATTEMPTS, TaskChangesRepository } from './task-changes.repository';
import { NewTask, PreparedTask, TasksRepository } from './tasks.repository';
import { taskView } from './task-view';
import { IDEMPOTENCY_KEY, requestFingerprint } from './idempotency';
import { OutboxRelay } from './outbox.relay';
import { TaskGraphRepository } from './task-graph.repository';
import { TaskSubmissions } from './task-submissions';
import { FastPublish } from './fast-publish';

const DEFAULT_MAX_ATTEMPTS = 3;

export interface CreateResult {
  task: TaskResponseDto;
  /** false when an earlier request with the same idempotency key created it */
  created: boolean;
}

@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);

  constructor(
    private readonly repo: TasksRepository,
    private readonly changes: TaskChangesRepository,
    private readonly attemptsRepo: TaskAttemptsRepository,
    private readonly graph: TaskGraphRepository,
    private readonly redis: RedisService,
    private readonly amqp: AmqpService,
    private readonly relay: OutboxRelay,
    private readonly submissions: TaskSubmissions,
    private readonly fast: FastPublish,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Writes the task and its outbox message atomically (with the other submissions of the moment,
   * when it has no idempotency key); once committed, it is published (see `committed`).
   */
  async create(dto: TaskCreateDto, idempotencyKey?: string): Promise<CreateResult> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new TasksError('VALIDATION', 'Idempotency-Key must be 1..200 visible ASCII characters');
    }
    const prepared = this.prepare(dto, '', idempotencyKey ?? null);
    this.fast.mark([prepared]);
    if (idempotencyKey === undefined && this.config.submit.groupMax > 1) {
      const task = await this.submissions.submit(prepared);
      this.committed([prepared]);
      return { task: taskView(task), created: true };
    }
    const { task: row, message } = prepared;
    const task = await this.repo.insertWithMessage(row, message, prepared.fast);
    if (task) {
      this.committed([prepared]);
      return { task: taskView(task), created: true };
    }
    const existing = idempotencyKey ? await this.repo.findByIdempotencyKey(idempotencyKey) : null;
    if (!existing) throw new TasksError('CONFLICT', 'the idempotency key is in use; retry the request');
    // A task created before fingerprints were kept has none: it answers as a repeat, as it did then.
    if (existing.fingerprint !== null && existing.fingerprint !== row.idempotencyFingerprint) {
      throw new TasksError(
        'UNPROCESSABLE',
        `Idempotency-Key was already used for task ${existing.id} with other parameters; use a new key for a new request`,
      );
    }
    return { task: taskView(existing), created: false };
  }

  /** Creates up to 1,000 tasks in one transaction: all of them, or none when one is invalid. */
  async createMany(dtos: TaskCreateDto[]): Promise<TaskResponseDto[]> {
    const prepared = dtos.map((dto, i) => this.prepare(dto, `items[${i}].`, null));
    this.fast.mark(prepared);
    const tasks = await this.repo.insertMany(prepared);
    this.committed(prepared);
    return tasks.map(taskView);
  }

  /** Committed: this gateway publishes the marked ones itself; the relay is woken for the others due now. */
  private committed(items: PreparedTask[]): void {
    this.fast.send(items);
    this.publishSoon(items.filter((i) => !i.fast).map((i) => i.task.runAt));
  }

  /** A task due now need not wait for the relay's next poll: committed, its message goes out at once. */
  publishSoon(runAts: Date[]): void {
    const now = Date.now();
    if (this.config.outbox.wakeOnCommit && runAts.some((at) => at.getTime() <= now)) this.relay.wake();
  }

  /** Validates one request against its task type and builds its row and first message. */
  prepare(dto: TaskCreateDto, label: string, idempotencyKey: string | null): PreparedTask {
    const contract = findTaskType(dto.type);
    if (!contract) {
      const known = TASK_TYPES.map((t) => t.name).join(', ');
      throw new TasksError('VALIDATION', `${label}type: unknown task type '${dto.type}' (known: ${known})`);
    }
    const check = checkPayload(contract, dto.payload);
    if (!check.ok) throw new TasksError('VALIDATION', check.problems.map((p) => label + p).join('; '));

    if (dto.runAt !== undefined && dto.delaySeconds !== undefined) {
      throw new TasksError('VALIDATION', `${label}runAt and delaySeconds: give one of them, not both`);
    }
    const now = Date.now();
    const runAt = dto.runAt ? new Date(dto.runAt) : new Date(now + (dto.delaySeconds ?? 0) * 1000);
    if (runAt.getTime() > now + MAX_DELAY_SECONDS * 1000) {
      throw new TasksError('VALIDATION', `${label}runAt: at most ${MAX_DELAY_SECONDS / 86400} days ahead`);
    }
    const task: NewTask = {
      id: uuidv7(),
      type: contract.name,
      priority: dto.priority ?? 'normal',
      payload: dto.payload,
      group: dto.group ?? null,
      maxAttempts: dto.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      runAt,
      idempotencyKey,
      idempotencyFingerprint: idempotencyKey === null ? null : requestFingerprint(dto),
    };
    return { task, message: taskOutboxMessage(task, 1, runAt) };
  }

  async get(id: string): Promise<TaskResponseDto> {
    const task = await this.repo.findById(id);
    if (!task) throw new TasksError('NOT_FOUND', `task ${id} not found`);
    return taskView(task);
  }

  async attempts(id: string): Promise<TaskAttemptListDto> {
    await this.get(id);
    const rows = await this.attemptsRepo.attemptsOf(id);
    return {
      items: rows.map((r) => ({
        attempt: r.attempt,
        status: r.status,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        error: r.error,
      })),
    };
  }

  async list(query: TaskListQueryDto): Promise<TaskListResponseDto> {
    const rows = await this.repo.list({ ...query, limit: query.limit + 1 });
    return toPage(rows.map(taskView), query.limit, query.offset);
  }

  /** Runs a failed, dead or cancelled task again as a new attempt. */
  async rerun(id: string): Promise<TaskResponseDto> {
    const blockers = await this.graph.blockingParents([id]);
    if (blockers.length > 0) {
      const names = blockers.map((p) => `${p.key} (task ${p.id}, ${p.status})`).join(', ');
      throw new TasksError(
        'CONFLICT',
        `task ${id} waits for parents that did not succeed: ${names}; retry them`,
      );
    }
    const task = await this.changes.rerun(id, (t) => taskOutboxMessage(t, t.attempts, t.runAt));
    if (task) this.publishSoon([task.runAt]);
    if (!task) {
      const current = await this.get(id);
      if (isTerminal(current.status) && canTransition(current.status, 'pending')) {
        throw new TasksError('CONFLICT', `task ${id} has used all ${MAX_ATTEMPTS} attempts`);
      }
      throw new TasksError(
        'CONFLICT',
        `task ${id} is ${current.status}; only failed, dead or cancelled tasks can be retried`,
      );
    }
    // A cancelled task's mark would make workers drop the new attempt.
    await this.redis
      .del(cancelMarkKey(id))
      .catch((err: Error) => this.logger.warn(`cancel mark for ${id} not removed: ${err.message}`));
    return taskView(task);
  }

  /** Removes a finished task (a dead one a person has looked at, say) with its attempts. */
  async remove(id: string): Promise<void> {
    if (await this.repo.deleteOne(id)) return;
    const current = await this.get(id); // 404 when there is none
    if (current.flowId !== null) {
      throw new TasksError(
        'CONFLICT',
        `task ${id} belongs to flow ${current.flowId}; a flow's tasks go with their flow`,
      );
    }
    throw new TasksError('CONFLICT', `task ${id} is ${current.status}; only a finished task can be deleted`);
  }

  /** Cancels a task that has not finished; a terminal task answers 409 with its status. */
  async cancel(id: string): Promise<TaskResponseDto> {
    const cancelled = await this.changes.cancel(id);
    if (!cancelled) {
      const current = await this.get(id);
      if (!canTransition(current.status, 'cancelled')) {
        throw new TasksError('CONFLICT', `task ${id} is ${current.status} and can no longer be cancelled`);
      }
      throw new TasksError('CONFLICT', `task ${id} changed while cancelling; retry`);
    }
    const { task, released } = cancelled;
    if (released > 0) this.publishSoon([new Date()]);
    await this.stop([id]);
    return taskView(task);
  }

  /**
   * Stops cancelled tasks wherever they are: a mark keeps every worker from starting one later, a
   * broadcast stops one already running (`held`: those a worker may have). Not awaited, so a broker
   * outage never holds the answer; with no worker bound it is simply unroutable.
   */
  async stop(ids: readonly string[], held: readonly string[] = ids): Promise<void> {
    await this.markCancelled(ids);
    for (const id of held) {
      const broadcast: ControlMessage = { kind: 'cancel', taskId: id };
      this.amqp
        .publish(EXCHANGES.control, '', broadcast, { correlationId: id, type: 'control.cancel' })
        .catch((err: Error) => this.logger.warn(`cancel of ${id} not broadcast: ${err.message}`));
    }
  }

  /** Their messages may already be in a queue: the marks keep every worker from starting them. */
  async markCancelled(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.set(cancelMarkKey(id), '1', 'EX', this.config.cancelMarkTtlSeconds);
    await pipeline
      .exec()
      .catch((err: Error) =>
        this.logger.warn(`cancel marks for ${ids.length} tasks not written: ${err.message}`),
      );
  }
}
