import { hostname } from 'node:os';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { conveyorVersion } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { WORKER_HEARTBEAT_TYPE, WorkerHeartbeat } from '@conveyor/contracts';
import { AmqpService, EXCHANGES, WORK_QUEUES, WORKER_HEARTBEAT_ROUTING_KEY } from '@conveyor/messaging';
import { CpuPool, TaskRunner, laneSlots } from '@conveyor/tasks/worker';

/**
 * Announces this worker every WORKER_HEARTBEAT_MS on `conveyor.status`: who it is, where it is
 * connected, its lanes and how busy they are. A beat that cannot be sent is skipped (the next one
 * comes soon); the last one, on shutdown, says it is stopping.
 */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HeartbeatService.name);
  private readonly host = hostname();
  private readonly startedAt = new Date().toISOString();
  private readonly version = conveyorVersion();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly amqp: AmqpService,
    private readonly runner: TaskRunner,
    private readonly pool: CpuPool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.beat(false);
    this.timer = setInterval(() => void this.beat(false), this.config.worker.heartbeatMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.beat(true);
  }

  /** What this worker says about itself now. */
  heartbeat(stopping: boolean): WorkerHeartbeat {
    return {
      workerId: `${this.host}:${process.pid}`,
      host: this.host,
      pid: process.pid,
      version: this.version,
      startedAt: this.startedAt,
      at: new Date().toISOString(),
      intervalMs: this.config.worker.heartbeatMs,
      brokerNode: this.amqp.connectedNode(),
      cpuThreads: this.pool.threads,
      poolUtilization: this.pool.busyShare,
      lanes: WORK_QUEUES.map(({ queue, priority, kind }) => ({
        queue,
        slots: laneSlots(this.config, kind, priority),
        inFlight: this.runner.inFlight(queue),
      })),
      ...(stopping ? { stopping } : {}),
    };
  }

  private async beat(stopping: boolean): Promise<void> {
    try {
      await this.amqp.publish(EXCHANGES.status, WORKER_HEARTBEAT_ROUTING_KEY, this.heartbeat(stopping), {
        type: WORKER_HEARTBEAT_TYPE,
      });
    } catch (err) {
      this.logger.debug(`heartbeat not sent: ${(err as Error).message}`);
    }
  }
}
