import { z } from 'zod';
import { isoDateTime } from './datetime';

/** `type` of a worker's heartbeat on `conveyor.status` (routing key `worker.heartbeat`). */
export const WORKER_HEARTBEAT_TYPE = 'conveyor.worker.heartbeat';

/** A worker missing this many heartbeats in a row is shown as gone. */
export const HEARTBEATS_MISSED_GONE = 3;

/** What a worker says about itself every WORKER_HEARTBEAT_MS, and once more when it stops. */
export const workerHeartbeatSchema = z
  .object({
    /** host:pid, as in the worker's reports. */
    workerId: z.string().min(1).max(300),
    host: z.string().min(1).max(255),
    pid: z.number().int().positive(),
    version: z.string().min(1).max(50),
    startedAt: isoDateTime(),
    at: isoDateTime(),
    /** How often it beats, so a gateway can tell when it missed three. */
    intervalMs: z.number().int().min(50).max(3_600_000),
    /** host:port of the RabbitMQ node it is connected to. */
    brokerNode: z.string().max(300).nullable(),
    cpuThreads: z.number().int().min(0).max(1024),
    /** Share of the CPU pool's threads running a function at the beat, 0..1. */
    poolUtilization: z.number().min(0).max(1),
    /** Per work queue: its slots and the messages of it being processed here. */
    lanes: z
      .array(
        z
          .object({
            queue: z.string().min(1).max(200),
            slots: z.number().int().min(0).max(1_000_000),
            inFlight: z.number().int().min(0).max(1_000_000),
          })
          .strict(),
      )
      .max(16),
    /** The last beat of a worker shutting down: shown as stopped at once. */
    stopping: z.boolean().optional(),
  })
  .strict();
export type WorkerHeartbeat = z.infer<typeof workerHeartbeatSchema>;
