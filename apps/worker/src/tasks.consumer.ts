import { BeforeApplicationShutdown, Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Lane, LaneSlots } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { AmqpService, Consume, Delivery, workQueue } from '@conveyor/messaging';
import { LaneSlot, TaskRunner, laneShape, laneSlots } from '@conveyor/tasks/worker';

const NORMAL_CPU = workQueue('normal', 'cpu');
const HIGH_CPU = workQueue('high', 'cpu');
const NORMAL_IO = workQueue('normal', 'io');
const HIGH_IO = workQueue('high', 'io');

/** How many messages a lane's channel holds: as many as the lane may run, twice that for IO. */
function prefetch(kind: 'cpu' | 'io', lane: Lane) {
  return (c: AppConfig) => {
    const most = laneSlots(c, kind, lane);
    return kind === 'io' ? 2 * most : most;
  };
}

/**
 * Transport adapter: one channel per work queue. Per kind (CPU, IO) the two lanes share one set
 * of slots: either may use what the other leaves idle, a reservation keeps high work starting at
 * once behind a normal backlog, and when both wait the slots alternate by LANE_WEIGHTS. An IO
 * lane takes twice its slots from the broker: a message whose handler has returned keeps its
 * place until its reports are confirmed, and meanwhile the next one can run. A CPU lane takes
 * only what it can run, so long CPU work waits in the queue where any worker can take it.
 */
@Controller()
export class TasksConsumer implements BeforeApplicationShutdown {
  private readonly slots: Record<string, LaneSlot>;

  constructor(
    private readonly amqp: AmqpService,
    private readonly runner: TaskRunner,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const { highWeight, normalWeight } = config.lanes;
    const kinds = laneShape(config);
    const cpu = new LaneSlots({ ...kinds.cpu, highWeight, normalWeight });
    const io = new LaneSlots({ ...kinds.io, highWeight, normalWeight });
    const lane = (shared: LaneSlots, which: Lane): LaneSlot => ({ run: (work) => shared.run(which, work) });
    this.slots = {
      [NORMAL_CPU]: lane(cpu, 'normal'),
      [HIGH_CPU]: lane(cpu, 'high'),
      [NORMAL_IO]: lane(io, 'normal'),
      [HIGH_IO]: lane(io, 'high'),
    };
  }

  @Consume(NORMAL_CPU, { prefetch: prefetch('cpu', 'normal') })
  normalCpu(@Payload() d: Delivery): Promise<void> {
    return this.runner.handle(NORMAL_CPU, d, this.slots[NORMAL_CPU]);
  }

  @Consume(HIGH_CPU, { prefetch: prefetch('cpu', 'high') })
  highCpu(@Payload() d: Delivery): Promise<void> {
    return this.runner.handle(HIGH_CPU, d, this.slots[HIGH_CPU]);
  }

  @Consume(NORMAL_IO, { prefetch: prefetch('io', 'normal') })
  normalIo(@Payload() d: Delivery): Promise<void> {
    return this.runner.handle(NORMAL_IO, d, this.slots[NORMAL_IO]);
  }

  @Consume(HIGH_IO, { prefetch: prefetch('io', 'high') })
  highIo(@Payload() d: Delivery): Promise<void> {
    return this.runner.handle(HIGH_IO, d, this.slots[HIGH_IO]);
  }

  /** SIGTERM: take no more messages, let the running ones finish and report, then close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.amqp.stopConsuming();
    await this.runner.drain();
  }
}
