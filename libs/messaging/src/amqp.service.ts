import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import amqp, { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { REJECTION_HEADER } from '@conveyor/contracts';
import { corkWrites } from './corked-writes';
import { confirmInOrder } from './in-order-confirms';
import { Delivery } from './delivery';
import { MessagingError } from './messaging.error';
import { Settler } from './settler';
import { EXCHANGES, TopologyRole, assertTopology, checkTopology } from './topology';

export const TOPOLOGY_ROLE = Symbol('TOPOLOGY_ROLE');
/** How long a worker waits at start for a gateway to have declared the topology. */
const TOPOLOGY_WAIT_MS = 60_000;

export interface PublishOptions {
  messageId?: string;
  /** application/json unless given (a dead-lettered message keeps its own) */
  contentType?: string;
  correlationId?: string;
  type?: string;
  headers?: Record<string, unknown>;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

interface Subscription {
  channel: ChannelWrapper;
  /** Sends the acks its settler holds for the end of this turn. */
  flushAcks: () => void;
  consumerTag?: string;
  /** Broadcast receivers keep listening while work intake stops (a cancel can reach a draining task). */
  broadcast: boolean;
}

/**
 * The one AMQP connection of a process: confirm-channel publishing with `mandatory`, and one
 * channel per consumer (own prefetch, re-attached by amqp-connection-manager after a reconnect).
 */
@Injectable()
export class AmqpService implements OnApplicationShutdown {
  private readonly logger = new Logger(AmqpService.name);
  private readonly connection: AmqpConnectionManager;
  private readonly publisher: ChannelWrapper;
  private readonly subscriptions: Subscription[] = [];
  /** Message ids the broker returned as unroutable; its basic.return precedes the confirm. */
  private readonly returned = new Set<string>();

  private readonly declares: boolean;
  /** The broker node this process is connected to now (host:port), for /health. */
  private node: string | null = null;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(TOPOLOGY_ROLE) role: TopologyRole) {
    this.declares = role === 'declare';
    // Several URLs: the nodes of one cluster, tried in turn whenever the connection is lost.
    this.connection = amqp.connect(config.amqp.urls, {
      heartbeatIntervalInSeconds: config.amqp.heartbeatSeconds,
      reconnectTimeInSeconds: 1,
      connectionOptions: {
        // No Nagle: a burst of small frames (publishes, acks) must not wait for the broker's delayed ACK.
        noDelay: true,
        // Shown in the RabbitMQ console: which process holds a connection.
        clientProperties: { connection_name: `conveyor ${hostname()}:${process.pid}` },
      },
    });
    this.connection.on('connect', ({ connection, url }) => {
      if (!corkWrites(connection)) this.logger.warn('amqplib changed: its frames are written one by one');
      this.node = nodeOf(url);
      this.logger.log(`connected to RabbitMQ at ${this.node}`);
    });
    this.connection.on('disconnect', ({ err }) => {
      this.logger.warn(`RabbitMQ disconnected from ${this.node}: ${err?.message}`);
      this.node = null;
    });
    this.connection.on('blocked', ({ reason }) => this.logger.warn(`RabbitMQ blocked publishing: ${reason}`));
    this.publisher = this.connection.createChannel({
      name: 'publisher',
      confirm: true,
      publishTimeout: config.amqp.publishTimeoutMs,
      setup: async (channel: ConfirmChannel) => {
        channel.on('return', (msg: ConsumeMessage) => {
          const id: unknown = msg.properties.messageId;
          if (typeof id === 'string') this.returned.add(id);
        });
        if (this.declares) await assertTopology(channel);
      },
    });
    this.publisher.on('error', (err: Error) => this.logger.error(`publisher channel: ${err.message}`));
    if (!confirmInOrder(this.publisher))
      this.logger.warn('amqp-connection-manager changed: each confirm searches the unconfirmed messages');
  }

  /**
   * Resolves once the topology this process uses exists: at once for the gateway, which declares
   * it; a worker (which may not) waits for a gateway to have done so, checking on channels of its own.
   */
  async topologyReady(): Promise<void> {
    const deadline = Date.now() + TOPOLOGY_WAIT_MS;
    for (let warned = false; ;) {
      const ready = await this.connection.connection
        ?.createChannel()
        .then(async (ch) => {
          ch.on('error', () => undefined); // a failed check closes it; that is the answer
          await (this.declares ? assertTopology(ch) : checkTopology(ch));
          await ch.close().catch(() => undefined);
          return true;
        })
        .catch(() => false);
      if (ready) return;
      if (Date.now() > deadline)
        throw new MessagingError(
          'UNAVAILABLE',
          'the broker topology is not declared (start a gateway first)',
        );
      if (!warned) this.logger.warn('waiting for a gateway to declare the broker topology');
      warned = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  isConnected(): boolean {
    return this.connection.isConnected();
  }

  /** host:port of the node this process is connected to; null while it is not. */
  connectedNode(): string | null {
    return this.isConnected() ? this.node : null;
  }

  /**
   * Publishes a persistent JSON message and resolves when the broker confirmed it. A nack, a
   * return (unroutable) or a timeout while disconnected rejects with a MessagingError.
   */
  async publish(
    exchange: string,
    routingKey: string,
    body: unknown,
    options: PublishOptions = {},
  ): Promise<void> {
    const messageId = options.messageId ?? randomUUID();
    const content = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    try {
      await this.publisher.publish(exchange, routingKey, content, {
        persistent: true,
        mandatory: true,
        contentType: options.contentType ?? 'application/json',
        messageId,
        correlationId: options.correlationId,
        type: options.type,
        timestamp: Math.floor(Date.now() / 1000),
        headers: options.headers,
      });
    } catch (err) {
      throw new MessagingError('NACKED', `publish to ${exchange}/${routingKey} failed: ${describe(err)}`);
    }
    if (this.returned.delete(messageId)) {
      throw new MessagingError('UNROUTABLE', `no queue is bound for ${exchange}/${routingKey}`);
    }
  }

  /**
   * Dead-letters a message this process refuses to handle, keeping its properties and adding the
   * reason (`x-conveyor-rejection`: code, message, queue) so operators and the gateway see why. If
   * that publish fails, the message is rejected instead and the broker dead-letters it (`rejected`).
   */
  async deadLetter(
    delivery: Delivery,
    reason: { code: string; message: string; queue: string },
  ): Promise<void> {
    const props = delivery.message.properties;
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    try {
      await this.publish(EXCHANGES.dlx, '', delivery.body, {
        messageId: text(props.messageId),
        correlationId: delivery.correlationId,
        type: delivery.type,
        contentType: text(props.contentType) ?? 'application/octet-stream',
        // Where it came from and when, so a gateway can store it and replay it where it was sent.
        headers: {
          ...props.headers,
          [REJECTION_HEADER]: JSON.stringify({
            ...reason,
            routingKey: delivery.message.fields.routingKey,
            at: new Date().toISOString(),
          }),
        },
      });
      delivery.ack();
    } catch {
      delivery.nack(false);
    }
  }

  /** Consumes a queue on a channel of its own with the given prefetch (its concurrency bound). */
  consume(queue: string, prefetch: number, handler: DeliveryHandler): Promise<void> {
    return this.attach(queue, prefetch, handler, false);
  }

  /**
   * Receives every broadcast on a fanout exchange through a queue of this process alone
   * (exclusive, so it goes away with the connection and is declared again on reconnect).
   * What it rejects goes to the dead-letter exchange like any other message.
   */
  consumeBroadcast(exchange: string, prefetch: number, handler: DeliveryHandler): Promise<void> {
    const queue = `${exchange}.${hostname()}.${process.pid}.${randomUUID().slice(0, 8)}`;
    return this.attach(queue, prefetch, handler, true, async (ch) => {
      await ch.assertQueue(queue, {
        exclusive: true,
        durable: false,
        arguments: { 'x-dead-letter-exchange': EXCHANGES.dlx },
      });
      await ch.bindQueue(queue, exchange, '');
    });
  }

  private async attach(
    queue: string,
    prefetch: number,
    handler: DeliveryHandler,
    broadcast: boolean,
    declare?: (ch: Channel) => Promise<void>,
  ): Promise<void> {
    /** Settles on the channel instance of the moment (a reconnect brings a new one). */
    let settler: Settler | undefined;
    const channel = this.connection.createChannel({
      name: `consumer:${queue}`,
      confirm: false,
      setup: async (ch: Channel) => {
        settler = new Settler(ch);
        if (this.declares) await assertTopology(ch);
        await declare?.(ch);
      },
    });
    channel.on('error', (err: Error) => this.logger.error(`consumer channel ${queue}: ${err.message}`));
    const subscription: Subscription = { channel, broadcast, flushAcks: () => settler?.flush() };
    this.subscriptions.push(subscription);
    const reply = await channel.consume(
      queue,
      (msg) => {
        if (!settler) return;
        settler.received(msg);
        const delivery = new Delivery(msg, settler);
        handler(delivery).catch((err: unknown) => {
          // Handlers settle their own messages; this is a bug guard so one message never stops the rest.
          this.logger.error(`handler for ${queue} threw: ${describe(err)}`);
          delivery.nack(true);
        });
      },
      { prefetch },
    );
    subscription.consumerTag = reply.consumerTag;
  }

  /** Stops taking new work (broadcasts still arrive); in-flight messages can still be settled. */
  async stopConsuming(): Promise<void> {
    await Promise.all(
      this.subscriptions.filter((s) => !s.broadcast).map((s) => s.channel.cancelAll().catch(() => undefined)),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => s.channel.cancelAll().catch(() => undefined)));
    this.subscriptions.forEach((s) => s.flushAcks()); // the acks of this turn, before the close
    await Promise.all(this.subscriptions.map((s) => s.channel.close().catch(() => undefined)));
    await this.publisher.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A broker URL as host:port, without its credentials. */
function nodeOf(url: string | Options.Connect | undefined): string {
  if (typeof url === 'string') {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5672'}`;
  }
  return `${url?.hostname ?? 'localhost'}:${url?.port ?? 5672}`;
}
