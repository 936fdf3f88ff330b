import type { ConsumeMessage } from 'amqplib';
import { ATTEMPT_HEADER } from '@conveyor/contracts';
import type { Settler } from './settler';

/**
 * A received message bound to the channel it arrived on (through that channel's settler). Acking
 * on a newer channel after a reconnect would use a stale delivery tag and close that channel, so
 * a settle on a closed channel is dropped: the broker redelivers the message anyway.
 */
export class Delivery {
  private settled = false;

  constructor(
    readonly message: ConsumeMessage,
    private readonly settler: Settler,
  ) {}

  get body(): Buffer {
    return this.message.content;
  }

  get attempt(): number {
    const raw: unknown = this.message.properties.headers?.[ATTEMPT_HEADER];
    const n = typeof raw === 'number' ? raw : Number(raw);
    return Number.isInteger(n) && n >= 1 ? n : 1;
  }

  get correlationId(): string | undefined {
    const id: unknown = this.message.properties.correlationId;
    return typeof id === 'string' ? id : undefined;
  }

  get messageId(): string | undefined {
    const id: unknown = this.message.properties.messageId;
    return typeof id === 'string' && id !== '' ? id : undefined;
  }

  get contentType(): string | undefined {
    const type: unknown = this.message.properties.contentType;
    return typeof type === 'string' ? type : undefined;
  }

  /** The AMQP `type` property (what kind of message this is). */
  get type(): string | undefined {
    const type: unknown = this.message.properties.type;
    return typeof type === 'string' ? type : undefined;
  }

  header(name: string): unknown {
    return this.message.properties.headers?.[name];
  }

  /** Acks at the end of this turn of the event loop, together with the other acks of the channel. */
  ack(): void {
    if (this.settle()) this.settler.ack(this.message);
  }

  /** requeue=false dead-letters the message through the queue's DLX. */
  nack(requeue: boolean): void {
    if (this.settle()) this.settler.nack(this.message, requeue);
  }

  /** True the first time: a message is settled once. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }
}
