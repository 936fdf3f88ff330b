import { Injectable } from '@nestjs/common';
import type { UserProcessPayloadDto, UserProcessResult } from '@conveyor/contracts';
import { HandlesTask, IoContext, TaskHandler } from '@conveyor/tasks/worker';

/**
 * user.process: processes one user ID. The worker has no database: it reports the outcome, and
 * the gateway upserts the user when it applies the success (so a redelivered duplicate counts once).
 */
@HandlesTask('user.process')
@Injectable()
export class UserProcessHandler implements TaskHandler {
  io(payload: UserProcessPayloadDto, ctx: IoContext): Promise<UserProcessResult> {
    ctx.signal.throwIfAborted();
    return Promise.resolve({ userId: payload.userId, processedAt: new Date().toISOString() });
  }
}
