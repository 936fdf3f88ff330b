import type { UserProcessPayloadDto, UserProcessResult } from '@conveyor/contracts';
import { IoContext, TaskHandler } from './handler';

/**
 * Processes one user ID. The worker has no database: it reports the outcome, and the gateway
 * upserts the user when it applies the success (so a redelivered duplicate counts once).
 */
function processUser(payload: UserProcessPayloadDto, ctx: IoContext): Promise<UserProcessResult> {
  ctx.signal.throwIfAborted();
  return Promise.resolve({ userId: payload.userId, processedAt: new Date().toISOString() });
}

export const userProcessHandler: TaskHandler = { type: 'user.process', io: processUser };
