import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import {
  GROUP_RATE_HEADER,
  checkPayload,
  controlMessageSchema,
  findTaskType,
  parseGroupRate,
  parseMessage,
  taskMessageSchema,
} from '@conveyor/contracts';
import { AmqpService, Delivery, hasValidSignature, parseOrDeadLetter } from '@conveyor/messaging';
import { AttemptLeases } from './attempt-leases';
import { AttemptRunner } from './attempt-runner';
import { AttemptsHere, EndRun } from './attempts-here';
import { HandlerRegistry } from './handler-registry';
import { WorkerMetrics } from './worker.metrics';

/** A lane's share of the worker's slots: `run` starts the work when the lane may. */
export interface LaneSlot {
  run<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * Runs one task message: validate (dead-letter what cannot run), hand it to the attempt runner,
 * and ack only once the attempt's reports are confirmed.
 */
@Injectable()
export class TaskRunner {
  private readonly logger = new Logger(TaskRunner.name);
  private readonly active = new Set<Promise<void>>();
  private readonly here = new AttemptsHere();
  private readonly perQueue = new Map<string, number>();

  constructor(
    private readonly amqp: AmqpService,
    private readonly handlers: HandlerRegistry,
    private readonly attempts: AttemptRunner,
    private readonly leases: AttemptLeases,
    private readonly metrics: WorkerMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A broadcast from `conveyor.control`: stops the task if it runs here. A malformed one is dead-lettered. */
  control(delivery: Delivery): Promise<void> {
    const message = parseOrDeadLetter(delivery, controlMessageSchema, 'control message', this.logger);
    if (!message) return Promise.resolve();
    if (this.attempts.cancel(message.taskId) > 0)
      this.logger.log(`task ${message.taskId} cancelled while running`);
    delivery.ack();
    return Promise.resolve();
  }

  /** Runs a task message of `queue`; `slots` bounds how many of its lane's handlers run at once. */
  async handle(queue: string, delivery: Delivery, slots: LaneSlot): Promise<void> {
    this.metrics.inFlight.inc({ queue });
    this.perQueue.set(queue, this.inFlight(queue) + 1);
    const work = this.process(queue, delivery, slots);
    this.active.add(work);
    try {
      await work;
    } finally {
      this.active.delete(work);
      this.metrics.inFlight.dec({ queue });
      this.perQueue.set(queue, this.inFlight(queue) - 1);
    }
  }

  /** Messages of the queue being processed here now (for the heartbeat). */
  inFlight(queue: string): number {
    return this.perQueue.get(queue) ?? 0;
  }

  /** Waits for the tasks in progress (after intake stopped); what is left at the deadline is redelivered. */
  async drain(deadlineMs: number = this.config.worker.shutdownGraceMs): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    await Promise.race([Promise.allSettled([...this.active]), deadline]);
    clearTimeout(timer);
  }

  private async process(queue: string, delivery: Delivery, slots: LaneSlot): Promise<void> {
    if (delivery.contentType !== 'application/json') {
      const type = delivery.contentType ?? 'none';
      return this.reject(
        queue,
        delivery,
        'UNSUPPORTED_CONTENT_TYPE',
        `content type ${type}, not application/json`,
      );
    }
    if (!delivery.messageId)
      return this.reject(queue, delivery, 'NO_MESSAGE_ID', 'the message has no message-id');
    // Before anything runs: only the gateway's relay, which holds the key, publishes tasks.
    if (!hasValidSignature(this.config.taskSigningKey, delivery)) {
      return this.reject(
        queue,
        delivery,
        'FORGED',
        'no valid x-conveyor-signature: the gateway did not publish it',
      );
    }
    const rate = parseGroupRate(delivery.header(GROUP_RATE_HEADER));
    if (rate === null)
      return this.reject(
        queue,
        delivery,
        'INVALID_MESSAGE',
        `${GROUP_RATE_HEADER} is not <perSecond>/<group>`,
      );
    const parsed = parseMessage(taskMessageSchema, delivery.body);
    if (!parsed.ok) return this.reject(queue, delivery, 'INVALID_MESSAGE', parsed.problem);
    const message = parsed.value;
    const contract = findTaskType(message.type);
    const handler = this.handlers.get(message.type);
    if (!contract || !handler) {
      return this.reject(queue, delivery, 'UNKNOWN_TYPE', `unknown task type '${message.type}'`);
    }
    const check = checkPayload(contract, message.payload);
    if (!check.ok) return this.reject(queue, delivery, 'INVALID_PAYLOAD', check.problems.join('; '));
    const kind = contract.kindOf(check.payload);
    let ended: EndRun;
    for (;;) {
      const entry = this.here.enter(message.id, delivery.attempt);
      if (typeof entry === 'function') {
        ended = entry;
        break;
      }
      if (await entry) {
        // A redelivered copy (its ack was lost with a broker node): the attempt already reported.
        this.metrics.copiesSettled.inc();
        delivery.ack();
        return;
      }
      // The run here ended without confirmed reports: this copy runs it (entered afresh).
    }
    const run = this.attempts.begin(message.id, delivery.attempt, message.priority, kind);
    let confirmed = false;
    try {
      const claim = await this.leases.claim(message.id, delivery.attempt, () => run.signal);
      if (claim === 'done') {
        // A copy whose attempt another worker ran to confirmed reports (its ack was lost).
        this.metrics.copiesSettled.inc();
      } else if (claim !== 'cancelled') {
        // The slot is held until the handler returns, not while the reports await their confirms.
        const reports = await slots.run(() =>
          this.attempts.run(run, {
            kind,
            type: message.type,
            handler,
            payload: check.payload,
            parents: message.parents,
            rate,
          }),
        );
        if (reports) await Promise.all(reports);
      }
      confirmed = true;
      delivery.ack();
    } catch (err) {
      // A report was not confirmed: hand the message back so the task is not lost.
      this.logger.warn(`task ${run.taskId} handed back: ${(err as Error).message}`);
      delivery.nack(true);
    } finally {
      ended(confirmed);
      this.leases.finish(message.id, delivery.attempt, confirmed);
      this.attempts.end(run);
    }
  }

  /** Dead-letters a message the worker cannot run, with the reason for operators and the gateway. */
  private async reject(queue: string, delivery: Delivery, code: string, problem: string): Promise<void> {
    this.metrics.rejected.inc({ reason: code });
    this.logger.warn(`message dead-lettered (${code}): ${problem}`);
    await this.amqp.deadLetter(delivery, { code, message: problem, queue });
  }
}
