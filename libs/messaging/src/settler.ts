import type { Channel, ConsumeMessage } from 'amqplib';

/**
 * Settles the deliveries of one channel. Acks made in the same turn of the event loop go out
 * together: the longest run of acked messages from the oldest unsettled one as a single
 * `multiple` ack, the rest one by one. For a quorum queue each ack frame becomes a Raft command,
 * so this spares the broker most of its settle work; no ack waits longer than that one turn.
 * A nack goes out at once, after the acks waiting before it.
 */
export class Settler {
  /** Unsettled messages in arrival order (delivery tags only grow on a channel). */
  private unsettled: ConsumeMessage[] = [];
  private head = 0;
  private readonly acked = new Set<ConsumeMessage>();
  private scheduled = false;

  constructor(private readonly channel: Channel) {}

  received(message: ConsumeMessage): void {
    this.unsettled.push(message);
  }

  ack(message: ConsumeMessage): void {
    this.acked.add(message);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  nack(message: ConsumeMessage, requeue: boolean): void {
    this.flush();
    this.forget(message);
    safely(() => this.channel.nack(message, false, requeue));
  }

  /** Sends the acks waiting for the end of this turn. */
  flush(): void {
    this.scheduled = false;
    if (this.acked.size === 0) return;
    let last: ConsumeMessage | undefined;
    while (this.head < this.unsettled.length && this.acked.has(this.unsettled[this.head])) {
      last = this.unsettled[this.head++];
      this.acked.delete(last);
    }
    if (last) safely(() => this.channel.ack(last, true));
    for (const message of this.acked) {
      this.forget(message);
      safely(() => this.channel.ack(message, false));
    }
    this.acked.clear();
    this.compact();
  }

  private forget(message: ConsumeMessage): void {
    const i = this.unsettled.indexOf(message, this.head);
    if (i === this.head) this.head++;
    else if (i > this.head) this.unsettled.splice(i, 1);
  }

  /** Drops the settled prefix, so the array does not grow for the life of the channel. */
  private compact(): void {
    if (this.head === 0) return;
    this.unsettled = this.unsettled.slice(this.head);
    this.head = 0;
  }
}

/** A settle on a closed channel is dropped: the broker already returned its messages to the queue. */
function safely(settle: () => void): void {
  try {
    settle();
  } catch {
    // closed channel (see above)
  }
}
