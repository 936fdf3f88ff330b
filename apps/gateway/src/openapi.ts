import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { completeDocument } from '@conveyor/common';
import {
  CurrencyConvertPayloadDto,
  DemoWorkPayloadDto,
  PlansSyncPayloadDto,
  UserProcessPayloadDto,
} from '@conveyor/contracts';
import { SearchResponseDto } from '@conveyor/plans/gateway';
import { SEARCH_OPENAPI } from './search.route';

const TAGS: Record<string, string> = {
  tasks: 'Submit tasks, follow them live, cancel and retry them',
  users: 'Users, created by hand or by the user.process tasks of ID batches',
  'id-batches': 'Process many user IDs at a fixed rate over a 15-minute window',
  currencies: 'Supported currencies and conversions at the latest ECB rates',
  plans: 'Sync the provider plans feed and search the plans',
  events: 'The casino event stream: publish events, read its live statistics and the last events',
  operations: 'Health and Prometheus metrics',
};

/** Paths that answer without PostgreSQL (everything else answers 503 while it is down). */
const STORELESS = new Set(['/metrics']);

/** The gateway's OpenAPI document, served at /docs and /docs-json. */
export function gatewayDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Conveyor gateway')
    .setDescription('Submit tasks, follow their status, cancel them. Every change travels over RabbitMQ.')
    .setVersion('1')
    .addServer('/', 'This gateway');
  for (const [name, description] of Object.entries(TAGS)) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    extraModels: [
      DemoWorkPayloadDto,
      UserProcessPayloadDto,
      CurrencyConvertPayloadDto,
      PlansSyncPayloadDto,
      SearchResponseDto,
    ],
  });
  document.paths['/search'] = SEARCH_OPENAPI;
  completeDocument(document, STORELESS);
  return document;
}
