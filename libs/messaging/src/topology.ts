import type { Channel } from 'amqplib';
import { PRIORITIES, Priority, TASK_KINDS, TaskKind } from '@conveyor/contracts';

/** Exchange and queue names are a public contract (operators and outside publishers use them). */
export const EXCHANGES = {
  /** Task messages by `task.<priority>.<kind>.<type>` (topic), for any publisher. */
  tasks: 'conveyor.tasks',
  /**
   * The gateways' task messages, by lane `task.<priority>.<kind>` (direct): a topic exchange's
   * routing cost RabbitMQ about as much CPU again as the rest of a message's way.
   */
  work: 'conveyor.work',
  status: 'conveyor.status',
  dlx: 'conveyor.dlx',
  control: 'conveyor.control',
  /** Casino events from any publisher, routing key `event.<type>` (`event.batch` for a batch). */
  events: 'conveyor.events',
} as const;

export const QUEUES = {
  status: 'conveyor.status',
  /** Reports of high-priority tasks: they never wait behind a backlog of normal reports. */
  statusHigh: 'conveyor.status.high',
  dead: 'conveyor.dead',
  /** The gateway's own view of dead letters, so it can mark the tasks `dead`. */
  deadGateway: 'conveyor.dead.gateway',
  /** Casino events waiting for a worker (decode, validate, amount in EUR). */
  eventsEnrich: 'conveyor.events.enrich',
  /** What the workers made of them, waiting for a gateway (player, description, statistics). */
  eventsEnriched: 'conveyor.events.enriched',
  /** Workers' heartbeats, for the gateways' `GET /workers`. */
  workers: 'conveyor.workers',
} as const;

/** Redeliveries a message gets (worker crashes, nack+requeue) before it is dead-lettered. */
export const DELIVERY_LIMIT = 5;

/** Routing key of normal reports and rate announcements on `conveyor.status`. */
export const STATUS_ROUTING_KEY = 'status';
export const STATUS_HIGH_ROUTING_KEY = 'status.high';
/** Routing key of enriched casino events on `conveyor.status`. */
export const EVENTS_ENRICHED_ROUTING_KEY = 'events.enriched';
/** Routing key of workers' heartbeats on `conveyor.status`. */
export const WORKER_HEARTBEAT_ROUTING_KEY = 'worker.heartbeat';

export function statusRoutingKey(priority: Priority): string {
  return priority === 'high' ? STATUS_HIGH_ROUTING_KEY : STATUS_ROUTING_KEY;
}

export function workQueue(priority: Priority, kind: TaskKind): string {
  return `conveyor.tasks.${priority}.${kind}`;
}

export const WORK_QUEUES: readonly { queue: string; priority: Priority; kind: TaskKind }[] =
  PRIORITIES.flatMap((priority) =>
    TASK_KINDS.map((kind) => ({ queue: workQueue(priority, kind), priority, kind })),
  );

/** `task.<priority>.<kind>.<type>`: the kind lets CPU and IO work have separate queues. */
export function taskRoutingKey(priority: Priority, kind: TaskKind, type: string): string {
  return `task.${priority}.${kind}.${type}`;
}

/** `task.<priority>.<kind>`: a work queue's key on the direct exchange `conveyor.work`. */
export function workRoutingKey(priority: Priority, kind: TaskKind): string {
  return `task.${priority}.${kind}`;
}

/** Identical arguments everywhere, or RabbitMQ answers PRECONDITION_FAILED. */
export const QUORUM_QUEUE_ARGS = {
  'x-queue-type': 'quorum',
  'x-delivery-limit': DELIVERY_LIMIT,
  'x-dead-letter-exchange': EXCHANGES.dlx,
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
} as const;

const PLAIN_QUORUM_ARGS = { 'x-queue-type': 'quorum' } as const;

/** Declares the whole topology; idempotent, run on every (re)connected channel. */
export async function assertTopology(channel: Channel): Promise<void> {
  await channel.assertExchange(EXCHANGES.dlx, 'fanout', { durable: true });
  // Unroutable task messages are dead letters too, never a silent drop.
  await channel.assertExchange(EXCHANGES.tasks, 'topic', {
    durable: true,
    arguments: { 'alternate-exchange': EXCHANGES.dlx },
  });
  await channel.assertExchange(EXCHANGES.work, 'direct', {
    durable: true,
    arguments: { 'alternate-exchange': EXCHANGES.dlx },
  });
  await channel.assertExchange(EXCHANGES.status, 'direct', { durable: true });
  await channel.assertExchange(EXCHANGES.control, 'fanout', { durable: true });

  for (const { queue, priority, kind } of WORK_QUEUES) {
    await channel.assertQueue(queue, { durable: true, arguments: QUORUM_QUEUE_ARGS });
    await channel.bindQueue(queue, EXCHANGES.tasks, `task.${priority}.${kind}.#`);
    await channel.bindQueue(queue, EXCHANGES.work, workRoutingKey(priority, kind));
  }
  await channel.assertQueue(QUEUES.status, { durable: true, arguments: QUORUM_QUEUE_ARGS });
  await channel.bindQueue(QUEUES.status, EXCHANGES.status, STATUS_ROUTING_KEY);
  await channel.assertQueue(QUEUES.statusHigh, { durable: true, arguments: QUORUM_QUEUE_ARGS });
  await channel.bindQueue(QUEUES.statusHigh, EXCHANGES.status, STATUS_HIGH_ROUTING_KEY);

  // Dead-letter queues have no DLX of their own: a dead letter stays where operators can see it.
  await channel.assertQueue(QUEUES.dead, { durable: true, arguments: PLAIN_QUORUM_ARGS });
  await channel.bindQueue(QUEUES.dead, EXCHANGES.dlx, '');
  await channel.assertQueue(QUEUES.deadGateway, { durable: true, arguments: PLAIN_QUORUM_ARGS });
  await channel.bindQueue(QUEUES.deadGateway, EXCHANGES.dlx, '');

  // An event no queue is bound for is a dead letter too.
  await channel.assertExchange(EXCHANGES.events, 'topic', {
    durable: true,
    arguments: { 'alternate-exchange': EXCHANGES.dlx },
  });
  await channel.assertQueue(QUEUES.eventsEnrich, { durable: true, arguments: QUORUM_QUEUE_ARGS });
  await channel.bindQueue(QUEUES.eventsEnrich, EXCHANGES.events, 'event.#');
  // Workers publish to it through conveyor.status, the one exchange of worker-to-gateway messages
  // (their broker user may write nowhere else, not even to the default exchange).
  await channel.assertQueue(QUEUES.eventsEnriched, { durable: true, arguments: QUORUM_QUEUE_ARGS });
  await channel.bindQueue(QUEUES.eventsEnriched, EXCHANGES.status, EVENTS_ENRICHED_ROUTING_KEY);
  // Heartbeats are superseded every few seconds; with no gateway reading, a full queue refuses more.
  await channel.assertQueue(QUEUES.workers, {
    durable: true,
    arguments: { ...QUORUM_QUEUE_ARGS, 'x-max-length': 10_000 },
  });
  await channel.bindQueue(QUEUES.workers, EXCHANGES.status, WORKER_HEARTBEAT_ROUTING_KEY);
}

/**
 * Who declares the topology: the gateway (`declare`), whose broker user may; a worker only checks
 * that what it consumes and publishes to is there (`check`), as its own user may not declare it.
 */
export type TopologyRole = 'declare' | 'check';

/** Passive checks of what a worker uses; rejects (and closes the channel) when one is missing. */
export async function checkTopology(channel: Channel): Promise<void> {
  for (const exchange of [EXCHANGES.status, EXCHANGES.dlx, EXCHANGES.control])
    await channel.checkExchange(exchange);
  for (const { queue } of WORK_QUEUES) await channel.checkQueue(queue);
  await channel.checkQueue(QUEUES.eventsEnrich);
}
