import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { WORK_QUEUES } from '@conveyor/messaging';

/** One work queue as the management API tells it: now, and its samples over the window asked for. */
export interface QueueFigures {
  name: string;
  messages: number;
  ready: number;
  unacked: number;
  consumers: number;
  publishRate: number;
  deliverRate: number;
  ackRate: number;
  /** [unix seconds, messages] */
  depthSamples: [number, number][];
  /** [unix seconds, acks so far]: differences give the completion rate */
  ackSamples: [number, number][];
}

interface Sample {
  sample: number;
  timestamp: number;
}
interface ApiQueue {
  name: string;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
  messages_details?: { samples?: Sample[] };
  message_stats?: {
    publish_details?: { rate: number };
    deliver_get_details?: { rate: number };
    ack_details?: { rate: number; samples?: Sample[] };
  };
}

const TIMEOUT_MS = 2000;

/**
 * The work queues' figures from the RabbitMQ management API, asked with the gateway's own broker
 * user (it has the `management` tag, which shows it the queues it may use and nothing else), so
 * the browser never talks to the broker.
 */
@Injectable()
export class RabbitManagement {
  private readonly logger = new Logger(RabbitManagement.name);
  private readonly auth: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const url = new URL(config.amqp.urls[0]);
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    this.auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }

  get configured(): boolean {
    return this.config.amqp.managementUrls.length > 0;
  }

  /** The work queues with `windowS` seconds of samples every `stepS`; null when no node answers. */
  async workQueues(windowS: number, stepS: number): Promise<QueueFigures[] | null> {
    const query = `lengths_age=${windowS}&lengths_incr=${stepS}&msg_rates_age=${windowS}&msg_rates_incr=${stepS}`;
    for (const base of this.config.amqp.managementUrls) {
      try {
        const res = await fetch(new URL(`api/queues/%2F?${query}`, base), {
          headers: { authorization: this.auth },
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        if (!res.ok) throw new Error(`answered ${res.status}`);
        const all = (await res.json()) as ApiQueue[];
        return WORK_QUEUES.map(({ queue }) =>
          figures(
            queue,
            all.find((q) => q.name === queue),
          ),
        );
      } catch (err) {
        this.logger.warn(`management API at ${base}: ${(err as Error).message}`);
      }
    }
    return null;
  }
}

function figures(name: string, q: ApiQueue | undefined): QueueFigures {
  const stats = q?.message_stats;
  const samples = (s: Sample[] | undefined) =>
    (s ?? [])
      .map((x) => [Math.round(x.timestamp / 1000), x.sample] as [number, number])
      .sort((a, b) => a[0] - b[0]);
  return {
    name,
    messages: q?.messages ?? 0,
    ready: q?.messages_ready ?? 0,
    unacked: q?.messages_unacknowledged ?? 0,
    consumers: q?.consumers ?? 0,
    publishRate: stats?.publish_details?.rate ?? 0,
    deliverRate: stats?.deliver_get_details?.rate ?? 0,
    ackRate: stats?.ack_details?.rate ?? 0,
    depthSamples: samples(q?.messages_details?.samples),
    ackSamples: samples(stats?.ack_details?.samples),
  };
}
