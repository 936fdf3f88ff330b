import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { SearchService } from '@conveyor/plans';

const JSON_TYPE = 'application/json; charset=utf-8';
const UNAVAILABLE = JSON.stringify({
  data: null,
  error: { code: 'UNAVAILABLE', message: 'the plans store is unavailable; retry shortly' },
});

/**
 * `GET /search` as a plain Fastify route: it is the hot read path (thousands of requests per
 * second), and Nest's per-request pipeline cost more than the search itself. It is documented in
 * the OpenAPI document by main.ts, and answers in the search API's own format, errors included.
 */
@Injectable()
export class SearchRoute implements OnApplicationBootstrap {
  private readonly logger = new Logger(SearchRoute.name);

  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly searches: SearchService,
  ) {}

  onApplicationBootstrap(): void {
    const fastify = this.adapter.httpAdapter.getInstance<FastifyInstance>();
    fastify.get('/search', async (req, reply) => {
      try {
        const raw = req.url.slice(req.url.indexOf('?') + 1 || req.url.length);
        const { status, body } = await this.searches.search(req.query as Record<string, unknown>, raw);
        return reply.status(status).type(JSON_TYPE).send(body);
      } catch (err) {
        this.logger.warn(`search failed: ${(err as Error).message}`);
        return reply.status(503).type(JSON_TYPE).send(UNAVAILABLE);
      }
    });
  }
}
