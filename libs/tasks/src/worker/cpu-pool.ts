import { resolve } from 'node:path';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Piscina } from 'piscina';
import { Gauge, Registry } from 'prom-client';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import type { CpuJob, CpuOutcome } from '@conveyor/tasks/cpu';

/**
 * The worker-thread pool for CPU functions. It has one thread more than the normal CPU lane may
 * fill, so a high-priority CPU task always finds a free thread.
 */
@Injectable()
export class CpuPool implements OnApplicationShutdown {
  private readonly pool: Piscina<CpuJob, CpuOutcome>;
  private readonly size: number;
  private running = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig, registry: Registry) {
    const threads = config.worker.cpuThreads + 1;
    this.size = threads;
    this.pool = new Piscina({
      filename: resolve(__dirname, '../cpu/cpu-worker.js'),
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
    });
    const pool = this.pool;
    new Gauge({
      name: 'conveyor_cpu_pool_utilization',
      help: 'Share of the CPU pool threads busy (0..1)',
      registers: [registry],
      collect() {
        this.set(pool.utilization);
      },
    });
  }

  /** Share of the threads running a function right now, 0..1 (piscina's own figure counts finished runs only). */
  get busyShare(): number {
    return Math.min(1, this.running / this.size);
  }

  get threads(): number {
    return this.size;
  }

  async run(job: CpuJob, signal?: AbortSignal): Promise<CpuOutcome> {
    this.running += 1;
    try {
      return await this.pool.run(job, { signal });
    } finally {
      this.running -= 1;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.destroy();
  }
}
