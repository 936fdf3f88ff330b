import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { BEARER_SCHEME, Scope } from '@conveyor/access/gateway';
import { SearchService } from '@conveyor/plans/gateway';

const SEARCH_SCOPE: Scope = 'tasks:read';
const JSON_TYPE = 'application/json; charset=utf-8';
const UNAVAILABLE = JSON.stringify({
  data: null,
  error: { code: 'UNAVAILABLE', message: 'the plans store is unavailable; retry shortly' },
});

/**
 * `GET /search` as a plain Fastify route: it is the hot read path (thousands of requests per
 * second), and Nest's per-request pipeline cost more than the search itself. Its OpenAPI entry is
 * SEARCH_OPENAPI below, and answers in the search API's own format, errors included.
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
    fastify.get('/search', { config: { access: SEARCH_SCOPE } }, async (req, reply) => {
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

const SEARCH_SCHEMA = { $ref: '#/components/schemas/SearchResponseDto' };
const ERROR_SCHEMA = { $ref: '#/components/schemas/ErrorResponseDto' };
const FOUND = {
  data: {
    events: [
      {
        id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
        title: 'Camela en concierto',
        start_date: '2021-06-30',
        start_time: '21:00:00',
        end_date: '2021-06-30',
        end_time: '22:00:00',
        min_price: 15,
        max_price: 30,
      },
    ],
  },
  error: null,
};
const REFUSED = {
  data: null,
  error: {
    code: 'INVALID_PARAMETER',
    message: 'starts_at must be an ISO 8601 date-time, like 2021-02-01T00:00:00Z',
  },
};

/** The route's OpenAPI entry (Nest's Swagger module only sees controllers): main.ts adds it to /docs. */
export const SEARCH_OPENAPI = {
  get: {
    operationId: 'SearchRoute_search',
    tags: ['plans'],
    summary: 'Plans that start at or after starts_at and end at or before ends_at, by start',
    description:
      'Served from the read replica behind a 5-minute Redis cache. Errors: 400 `{data: null, error: {code, message}}`.',
    parameters: ['starts_at', 'ends_at'].map((name) => ({
      name,
      in: 'query' as const,
      required: false,
      schema: {
        type: 'string' as const,
        format: 'date-time',
        example: name === 'starts_at' ? '2021-02-01T00:00:00Z' : '2022-07-03T00:00:00Z',
      },
    })),
    security: [{ [BEARER_SCHEME]: [] }],
    'x-required-scope': SEARCH_SCOPE,
    responses: {
      ...Object.fromEntries(
        (
          [
            ['401', 'No API key, or one that does not work (unknown, revoked, expired)'],
            ['403', `The key lacks the scope \`${SEARCH_SCOPE}\``],
            ['429', "The key's rate limit is used up (see Retry-After)"],
          ] as const
        ).map(([status, description]) => [
          status,
          { description, content: { 'application/json': { schema: ERROR_SCHEMA } } },
        ]),
      ),
      '200': {
        description: 'The plans found',
        content: { 'application/json': { schema: SEARCH_SCHEMA, example: FOUND } },
      },
      '400': {
        description: 'A bad parameter: INVALID_PARAMETER, INVALID_RANGE or UNKNOWN_PARAMETER',
        content: { 'application/json': { schema: SEARCH_SCHEMA, example: REFUSED } },
      },
      '503': {
        description: 'The plans store (the read replica) is unavailable; retry shortly',
        content: {
          'application/json': { schema: SEARCH_SCHEMA, example: JSON.parse(UNAVAILABLE) as object },
        },
      },
    },
  },
};
