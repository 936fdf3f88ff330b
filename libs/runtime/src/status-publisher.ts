import { Inject, Injectable } from '@nestjs/common';
import { Batcher } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { STATUS_BATCH_MAX, StatusBatch, StatusMessage } from '@conveyor/contracts';
import { AmqpService, EXCHANGES, STATUS_ROUTING_KEY } from '@conveyor/messaging';

interface Pending {
  report: StatusMessage;
  done: (err?: Error) => void;
}

/**
 * Sends worker reports to `conveyor.status` in batches (one confirmed message per batch): a
 * report's promise resolves once the broker confirmed the batch that carries it.
 */
@Injectable()
export class StatusPublisher {
  private readonly batcher: Batcher<Pending>;

  constructor(
    private readonly amqp: AmqpService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.batcher = new Batcher(Math.min(STATUS_BATCH_MAX, 200), config.status.batchMs, (batch) =>
      this.send(batch),
    );
  }

  report(report: StatusMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      this.batcher.push({ report, done: (err) => (err ? reject(err) : resolve()) });
    });
  }

  private async send(batch: Pending[]): Promise<void> {
    const body: StatusBatch = { reports: batch.map((p) => p.report) };
    try {
      await this.amqp.publish(EXCHANGES.status, STATUS_ROUTING_KEY, body, { type: 'status.batch' });
      batch.forEach((p) => p.done());
    } catch (err) {
      batch.forEach((p) => p.done(err as Error));
    }
  }
}
