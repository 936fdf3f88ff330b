import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppError, toPage, untilDone } from '@conveyor/common';
import { AmqpService, Delivery, EXCHANGES, QUEUES } from '@conveyor/messaging';
import { TasksService } from '@conveyor/tasks/gateway';
import { deadLetterRecord } from './dead-letter-record';
import type {
  DeadLetterDto,
  DeadLetterFilterDto,
  DeadLetterListDto,
  DeadLetterListQueryDto,
  DeadLetterReplayDto,
  ReplayResultDto,
} from './dead-letters.dto';
import { DeadLettersError } from './dead-letters.error';
import { DeadLetterFilter, DeadLetterRow, DeadLettersRepository } from './dead-letters.repository';

/** The most letters one replay takes on (oldest first); replay again for the rest. */
export const REPLAY_MAX = 10_000;
/** Letters (with their bodies) read at a time. */
const PAGE = 100;
/** The skipped letters a replay names; the count covers them all. */
const SKIPPED_SHOWN = 100;

/**
 * The dead letters operators see: every letter the gateway reads from `conveyor.dead.gateway`,
 * stored before the task it names is marked; listed, replayed where it came from, or discarded.
 */
@Injectable()
export class DeadLettersService implements OnApplicationShutdown {
  private readonly logger = new Logger(DeadLettersService.name);
  private readonly stopping = new AbortController();

  constructor(
    private readonly letters: DeadLettersRepository,
    private readonly tasks: TasksService,
    private readonly amqp: AmqpService,
  ) {}

  onApplicationShutdown(): void {
    this.stopping.abort();
  }

  /** Stores a letter (waiting out a database outage); false on shutdown, when it stays unacked. */
  async store(delivery: Delivery): Promise<boolean> {
    const record = deadLetterRecord(delivery);
    const stored = await untilDone(
      async () => {
        await this.letters.insert(record);
        return true;
      },
      this.stopping.signal,
      (err, ms) => this.logger.warn(`dead letter not stored, again in ${ms} ms: ${(err as Error).message}`),
    );
    return stored === true;
  }

  async list(q: DeadLetterListQueryDto): Promise<DeadLetterListDto> {
    const rows = await this.letters.list({ ...filterOf(q), ids: idsOf(q.ids) }, q.limit + 1, q.offset);
    return toPage(
      rows.map((r) => view(r, false)),
      q.limit,
      q.offset,
    );
  }

  async get(id: string): Promise<DeadLetterDto> {
    const row = await this.letters.find(id);
    if (!row) throw new DeadLettersError('NOT_FOUND', `no dead letter ${id}`);
    return view(row, true);
  }

  /** Discards the letters named by ids or a filter; answers how many. */
  async discard(q: DeadLetterFilterDto): Promise<{ deleted: number }> {
    return { deleted: await this.letters.delete(required({ ...filterOf(q), ids: idsOf(q.ids) })) };
  }

  /**
   * Sends the letters named by ids or a filter back where they came from: a task's runs the task
   * again as a new attempt (POST /tasks/:id/retry), an event's is published again to
   * `conveyor.events`. A replayed letter leaves the store (if it dies again, it comes back as a new
   * one); one that cannot be replayed stays, named with the reason.
   */
  async replay(dto: DeadLetterReplayDto): Promise<ReplayResultDto> {
    const filter = required({ ...filterOf(dto), ids: dto.ids?.length ? dto.ids : undefined });
    const matched = await this.letters.count(filter);
    const result: ReplayResultDto = {
      dryRun: dto.dryRun === true,
      matched,
      replayed: 0,
      skipped: 0,
      notReplayed: [],
    };
    let after = '0';
    for (let seen = 0; seen < REPLAY_MAX;) {
      const rows = await this.letters.matching(filter, after, Math.min(PAGE, REPLAY_MAX - seen));
      if (rows.length === 0) break;
      for (const row of rows) {
        const why = dto.dryRun ? unreplayable(row) : await this.replayOne(row);
        if (why === null) result.replayed += 1;
        else {
          result.skipped += 1;
          if (result.notReplayed.length < SKIPPED_SHOWN) result.notReplayed.push({ id: row.id, reason: why });
        }
      }
      seen += rows.length;
      after = rows[rows.length - 1].id;
    }
    return result;
  }

  /** Null once replayed and removed; else why not. */
  private async replayOne(row: DeadLetterRow): Promise<string | null> {
    const why = unreplayable(row);
    if (why !== null) return why;
    try {
      if (row.taskId) await this.tasks.rerun(row.taskId);
      else
        await this.amqp.publish(EXCHANGES.events, row.routingKey!, row.body, {
          messageId: row.messageId ?? undefined,
          type: row.type ?? undefined,
          contentType: row.contentType ?? undefined,
        });
    } catch (err) {
      if (err instanceof AppError && err.code !== 'UNAVAILABLE') return err.message;
      throw err;
    }
    await this.letters.delete({ ids: [row.id] });
    return null;
  }
}

/** Why a letter cannot be replayed, or null. */
function unreplayable(row: DeadLetterRow): string | null {
  if (row.taskId) return null;
  if (row.queue !== QUEUES.eventsEnrich) return 'neither a task nor a casino event';
  if (row.storedSize < row.bodySize) return 'its body was stored truncated';
  if (!row.routingKey) return 'its routing key is unknown';
  return null;
}

function filterOf(q: Pick<DeadLetterFilterDto, 'queue' | 'reason' | 'since' | 'until'>): DeadLetterFilter {
  return {
    queue: q.queue,
    reason: q.reason,
    since: q.since ? new Date(q.since) : undefined,
    until: q.until ? new Date(q.until) : undefined,
  };
}

const idsOf = (ids: string | undefined) => (ids ? ids.split(',') : undefined);

/** A replay or a discard names what it acts on: never everything by omission. */
function required(f: DeadLetterFilter): DeadLetterFilter {
  if (!f.ids?.length && !f.queue && !f.reason && !f.since && !f.until)
    throw new DeadLettersError('VALIDATION', 'name ids or at least one of queue, reason, since, until');
  return f;
}

/** A letter for the API; its body (base64) only when asked for one letter. */
function view(row: DeadLetterRow, withBody: boolean): DeadLetterDto {
  return {
    id: row.id,
    queue: row.queue,
    reason: row.reason,
    message: row.message,
    exchange: row.exchange,
    routingKey: row.routingKey,
    messageId: row.messageId,
    taskId: row.taskId,
    type: row.type,
    contentType: row.contentType,
    headers: row.headers,
    body: withBody ? row.body.toString('base64') : null,
    bodySize: row.bodySize,
    truncated: row.storedSize < row.bodySize,
    diedAt: row.diedAt,
    receivedAt: row.receivedAt,
  };
}
