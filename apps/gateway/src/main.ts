import 'reflect-metadata';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createHttpApp } from '@conveyor/common';
import { loadConfig } from '@conveyor/config';
import {
  CurrencyConvertPayloadDto,
  DemoWorkPayloadDto,
  PlansSyncPayloadDto,
  UserProcessPayloadDto,
} from '@conveyor/contracts';
import { SearchResponseDto } from '@conveyor/plans';
import { GatewayModule } from './gateway.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createHttpApp(GatewayModule.register(config), config.gateway.bodyLimit);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Conveyor gateway')
      .setDescription('Submit tasks, follow their status, cancel them. Every change travels over RabbitMQ.')
      .setVersion('1')
      .build(),
    {
      extraModels: [
        DemoWorkPayloadDto,
        UserProcessPayloadDto,
        CurrencyConvertPayloadDto,
        PlansSyncPayloadDto,
        SearchResponseDto,
      ],
    },
  );
  document.paths['/search'] = SEARCH_PATH;
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await app.listen(config.gateway.port, config.gateway.host);
}

/** GET /search is a plain Fastify route (search.route.ts), so its documentation is written here. */
const SEARCH_PATH = {
  get: {
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
    responses: {
      '200': {
        description: 'The plans found',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/SearchResponseDto' } } },
      },
      '400': {
        description: 'A bad parameter: INVALID_PARAMETER, INVALID_RANGE or UNKNOWN_PARAMETER',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/SearchResponseDto' } } },
      },
    },
  },
};

void bootstrap();
