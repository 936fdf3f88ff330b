import type { INestApplication } from '@nestjs/common';
import {
  BaseRpcContext,
  CustomTransportStrategy,
  EventPattern,
  MessageHandler,
  Server,
} from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { AppConfig } from '@conveyor/config';
import { AmqpService } from './amqp.service';
import type { Delivery } from './delivery';

/** How a `@Consume(queue, {...})` method takes its messages. */
export interface ConsumeOptions {
  /** Messages taken from the broker at once (the channel's prefetch); a function when it is a setting. */
  prefetch: number | ((config: AppConfig) => number);
  /** The pattern names a fanout exchange: every broadcast arrives through a queue of this process alone. */
  broadcast?: boolean;
}

/** Marks a controller method as the consumer of `queue` (an `@EventPattern` the AmqpTransport serves). */
export function Consume(queue: string, options: ConsumeOptions): MethodDecorator {
  return EventPattern<string>(queue, options);
}

/** `@Ctx()` of a consumer method: the queue (or broadcast exchange) the delivery came from. */
export class AmqpContext extends BaseRpcContext<[string]> {
  get queue(): string {
    return this.args[0];
  }
}

/**
 * A Nest microservice transport over AmqpService: every `@Consume(queue, {prefetch})` method
 * of a controller consumes that queue on a channel of its own, its payload the Delivery. Nest
 * finds the consumers and runs them through its interceptors and exception filters; confirms,
 * acks (after the handler settles its message), prefetch per lane and dead-lettering stay in the
 * messaging lib. Nest's own RMQ transport has no publisher confirms, topic bindings or DLX control.
 */
export class AmqpTransport extends Server implements CustomTransportStrategy {
  constructor(
    private readonly amqp: AmqpService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      for (const [queue, handler] of this.getHandlers()) {
        const options = handler.extras as Partial<ConsumeOptions> | undefined;
        const prefetch =
          typeof options?.prefetch === 'function' ? options.prefetch(this.config) : (options?.prefetch ?? 1);
        const receive = (delivery: Delivery) => this.dispatch(queue, handler, delivery);
        if (options?.broadcast) await this.amqp.consumeBroadcast(queue, prefetch, receive);
        else await this.amqp.consume(queue, prefetch, receive);
      }
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /** Resolves when the consumer method is done (it settles the delivery itself). */
  private async dispatch(queue: string, handler: MessageHandler, delivery: Delivery): Promise<void> {
    const result: unknown = await handler(delivery, new AmqpContext([queue]));
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }

  /** Stops taking new messages; the apps drain what they hold before the connection closes. */
  close(): Promise<void> {
    return this.amqp.stopConsuming();
  }

  on(): void {
    // AmqpService reports connection changes itself (logs and /health).
  }

  unwrap<T>(): T {
    return this.amqp as T;
  }
}

/** Starts the app's `@Consume` methods on the app's AmqpService. */
export async function startConsumers(app: INestApplication, config: AppConfig): Promise<void> {
  await app.get(AmqpService).topologyReady();
  app.connectMicroservice({ strategy: new AmqpTransport(app.get(AmqpService), config) });
  await app.startAllMicroservices();
}
