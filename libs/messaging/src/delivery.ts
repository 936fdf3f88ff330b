import type { Channel, ConsumeMessage } from 'amqplib';
import { ATTEMPT_HEADER } from '@conveyor/contracts';

/**
 * A received message bound to the channel it arrived on. Acking on a newer channel after a
 * reconnect would use a stale delivery tag and close that channel, so a settle on a closed
 * channel is dropped: the broker redelivers the message anyway.
 */
export class Delivery {
  private settled = false;

  constructor(
    readonly message: ConsumeMessage,
    private readonly channel: Channel,
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

  /** The AMQP `type` property (what kind of message this is). */
  get type(): string | undefined {
    const type: unknown = this.message.properties.type;
    return typeof type === 'string' ? type : undefined;
  }

  header(name: string): unknown {
    return this.message.properties.headers?.[name];
  }

  ack(): void {
    this.settle(() => this.channel.ack(this.message));
  }

  /** requeue=false dead-letters the message through the queue's DLX. */
  nack(requeue: boolean): void {
    this.settle(() => this.channel.nack(this.message, false, requeue));
  }

  private settle(action: () => void): void {
    if (this.settled) return;
    this.settled = true;
    try {
      action();
    } catch {
      // Channel already closed: the unsettled message goes back to the queue on the broker side.
    }
  }
}
