import { Injectable, OnModuleInit } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { Page, toPage } from '@conveyor/common';
import { sqlState } from '@conveyor/db';
import {
  IDEMPOTENCY_KEY,
  PreparedTask,
  TaskChangesRepository,
  TaskEdge,
  TaskGraphRepository,
  TaskRetention,
  TasksError,
  TasksRepository,
  TasksService,
  fingerprintOf,
} from '@conveyor/tasks/gateway';
import { graphProblems } from './flow-graph';
import { countStatuses, flowStatus } from './flow-view';
import { FlowCreateDto, FlowDto, FlowNodeDto, FlowSummaryDto } from './flows.dto';
import { FlowsError } from './flows.error';
import { FlowRow, FlowsRepository } from './flows.repository';

type FlowTaskRow = Awaited<ReturnType<TasksRepository['findByFlow']>>[number];

/**
 * Flows through the API: a DAG of tasks created in one transaction. Tasks without parents are
 * published at once; the others wait until their parents succeeded (TaskGraphRepository moves them).
 */
@Injectable()
export class FlowsService implements OnModuleInit {
  constructor(
    private readonly flows: FlowsRepository,
    private readonly tasks: TasksService,
    private readonly taskRows: TasksRepository,
    private readonly changes: TaskChangesRepository,
    private readonly graph: TaskGraphRepository,
    private readonly retention: TaskRetention,
  ) {}

  onModuleInit(): void {
    this.retention.also((cutoffs, limit) => this.flows.deleteFinished(cutoffs, limit));
  }

  /**
   * Validates the whole flow (graph, every task's type and payload) before anything is written.
   * With an Idempotency-Key already used for the same request, answers that flow (`created: false`).
   */
  async create(dto: FlowCreateDto, idempotencyKey?: string): Promise<{ flow: FlowDto; created: boolean }> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new FlowsError('VALIDATION', 'Idempotency-Key must be 1..200 visible ASCII characters');
    }
    const problems = graphProblems(dto.tasks);
    if (problems.length > 0) throw new FlowsError('VALIDATION', problems.join('; '));
    const flowId = uuidv7();
    const prepared: PreparedTask[] = dto.tasks.map((t, i) => ({
      ...this.prepare(t, i),
      flow: {
        flowId,
        key: t.key,
        waitingOn: t.dependsOn?.length ?? 0,
        onParentFailure: t.onParentFailure ?? 'cancel',
      },
    }));
    const ids = new Map(prepared.map((p) => [p.flow?.key, p.task.id]));
    const edges: TaskEdge[] = dto.tasks.flatMap((t, i) =>
      (t.dependsOn ?? []).map((dep) => ({
        flowId,
        parentId: ids.get(dep) ?? '',
        taskId: prepared[i].task.id,
      })),
    );
    const fingerprint = idempotencyKey === undefined ? null : flowFingerprint(dto);
    const earlier = idempotencyKey === undefined ? null : await this.repeat(idempotencyKey, fingerprint);
    if (earlier) return { flow: earlier, created: false };
    let flow: FlowRow;
    try {
      flow = await this.flows.transaction(async (tx) => {
        const row = await this.flows.insert(tx, {
          id: flowId,
          name: dto.name ?? null,
          taskCount: prepared.length,
          idempotencyKey: idempotencyKey ?? null,
          fingerprint,
        });
        await this.taskRows.insertMany(prepared, tx);
        await this.graph.insertEdges(tx, edges);
        return row;
      });
    } catch (err) {
      // Another request with the same key committed first: this one is its repeat.
      const raced = idempotencyKey !== undefined && sqlState(err).code === '23505';
      const first = raced ? await this.repeat(idempotencyKey, fingerprint) : null;
      if (first) return { flow: first, created: false };
      throw err;
    }
    this.tasks.publishSoon([new Date()]);
    return { flow: await this.detail(flow), created: true };
  }

  /** The flow an Idempotency-Key made, if any; 422 when that request asked for something else. */
  private async repeat(key: string, fingerprint: string | null): Promise<FlowDto | null> {
    const existing = await this.flows.findByIdempotencyKey(key);
    if (!existing) return null;
    if (existing.fingerprint !== fingerprint) {
      throw new FlowsError(
        'UNPROCESSABLE',
        `Idempotency-Key was already used for flow ${existing.id} with other parameters; use a new key for a new request`,
      );
    }
    return this.detail(existing);
  }

  async get(id: string): Promise<FlowDto> {
    return this.detail(await this.find(id));
  }

  async list(limit: number, offset: number): Promise<Page<FlowSummaryDto>> {
    const rows = await this.flows.list(limit + 1, offset);
    const counts = await this.taskRows.countByFlowAndStatus(rows.map((r) => r.id));
    const page = rows.map((row) => {
      const mine: FlowSummaryDto['counts'] = {};
      for (const c of counts) if (c.flowId === row.id) mine[c.status] = c.n;
      return summary(row, mine);
    });
    return toPage(page, limit, offset);
  }

  /** Cancels every unfinished task of the flow; those a worker may hold are stopped as a task cancel does. */
  async cancel(id: string): Promise<FlowDto> {
    const flow = await this.find(id);
    const { cancelled, held } = await this.flows.transaction((tx) => this.changes.cancelFlow(tx, id));
    await this.tasks.stop(cancelled, held);
    return this.detail(flow);
  }

  async find(id: string): Promise<FlowRow> {
    const flow = await this.flows.findById(id);
    if (!flow) throw new FlowsError('NOT_FOUND', `flow ${id} not found`);
    return flow;
  }

  /** The flow's nodes as they are now (what GET /flows/:id and its event stream show). */
  async nodes(id: string): Promise<FlowNodeDto[]> {
    const [rows, edges] = await Promise.all([this.taskRows.findByFlow(id), this.graph.edgesOf(id)]);
    const keys = new Map(rows.map((r) => [r.id, r.flowKey ?? '']));
    const parents = new Map<string, string[]>();
    for (const e of edges) {
      const list = parents.get(e.taskId) ?? [];
      list.push(keys.get(e.parentId) ?? '');
      parents.set(e.taskId, list);
    }
    return rows.map((r) => nodeOf(r, (parents.get(r.id) ?? []).sort()));
  }

  private async detail(flow: FlowRow): Promise<FlowDto> {
    const tasks = await this.nodes(flow.id);
    return { ...summary(flow, countStatuses(tasks.map((t) => t.status))), tasks };
  }

  /** One task's row and first message, its problems named `tasks[i].`. */
  private prepare(task: FlowCreateDto['tasks'][number], i: number): PreparedTask {
    const { type, payload, priority, maxAttempts, group } = task;
    try {
      return this.tasks.prepare({ type, payload, priority, maxAttempts, group }, `tasks[${i}].`, null);
    } catch (err) {
      if (err instanceof TasksError) throw new FlowsError(err.code, err.message);
      throw err;
    }
  }
}

/** What a POST /flows asked for (defaults filled in), to tell a repeat from a reuse of its key. */
function flowFingerprint(dto: FlowCreateDto): string {
  return fingerprintOf({
    name: dto.name ?? null,
    tasks: dto.tasks.map((t) => ({
      key: t.key,
      type: t.type,
      payload: t.payload,
      priority: t.priority ?? 'normal',
      maxAttempts: t.maxAttempts,
      dependsOn: t.dependsOn ?? [],
      onParentFailure: t.onParentFailure ?? 'cancel',
    })),
  });
}

/** A flow task as GET /flows/:id shows it. */
export function nodeOf(r: FlowTaskRow, dependsOn: string[]): FlowNodeDto {
  return {
    key: r.flowKey ?? '',
    taskId: r.id,
    type: r.type,
    status: r.status,
    dependsOn,
    onParentFailure: r.onParentFailure,
    attempts: r.attempts,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    error: r.error,
  };
}

/** A flow's summary: its row and its tasks' counts. */
export function summary(row: FlowRow, counts: FlowSummaryDto['counts']): FlowSummaryDto {
  return {
    id: row.id,
    name: row.name,
    status: flowStatus(counts),
    taskCount: row.taskCount,
    counts,
    createdAt: row.createdAt,
  };
}
