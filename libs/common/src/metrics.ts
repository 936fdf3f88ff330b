import { Controller, Get, Global, Header, Module } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus registry, a provider: each area declares its metrics in a provider of
 * its own that injects it. Default metrics include event-loop lag and heap.
 */
function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  return registry;
}

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get()
  // Public or behind any valid key, as METRICS_PUBLIC says (the gateway's access control reads it).
  @RouteConfig({ access: 'metrics' })
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    summary: 'Prometheus metrics',
    description: 'Text exposition format: process, event loop, HTTP and queue metrics of this process.',
  })
  @ApiProduces('text/plain')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

@Global()
@Module({
  providers: [{ provide: Registry, useFactory: createRegistry }],
  exports: [Registry],
  controllers: [MetricsController],
})
export class MetricsModule {}
