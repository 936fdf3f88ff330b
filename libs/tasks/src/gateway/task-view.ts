import type { TaskResponseDto } from './tasks.dto';
import type { TaskRow } from './tasks.repository';

/** A task as the API shows it: the row's fields, named as the API names them. */
export function taskView(row: TaskRow): TaskResponseDto {
  return {
    id: row.id,
    type: row.type,
    payload: row.payload,
    priority: row.priority,
    status: row.status,
    progress: row.progress,
    result: row.result,
    error: row.error,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    runAt: row.runAt,
    idempotencyKey: row.idempotencyKey,
    createdAt: row.createdAt,
    queuedAt: row.queuedAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    updatedAt: row.updatedAt,
    flowId: row.flowId,
    flowKey: row.flowKey,
    group: row.group,
  };
}
