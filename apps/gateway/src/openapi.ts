import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { BEARER_SCHEME } from '@conveyor/access/gateway';
import { completeDocument } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
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
  access: 'API keys (admin) and the audit trail of changes',
  schedules: 'Tasks of any type at the ticks of a cron expression or an interval',
  flows: 'Tasks that wait for other tasks: a DAG of up to 1,000, results passed down',
  groups:
    'Limits per tenant or provider: tasks running at once and started per second, shared by every gateway',
  'dead-letters': 'Every dead-lettered message, kept: list, look at, replay where it came from, discard',
  workers: 'The workers, from their heartbeats: where they are connected and how busy their lanes are',
  console: 'What the operator console at /console reads beyond the other tags: the overview',
};

/** Paths that answer without PostgreSQL (everything else answers 503 while it is down). */
const STORELESS = new Set(['/metrics']);

/** The gateway's OpenAPI document, served at /docs and /docs-json. */
export function gatewayDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Conveyor gateway')
    .setDescription('Submit tasks, follow their status, cancel them. Every change travels over RabbitMQ.')
    .setVersion('1')
    .addServer('/', 'This gateway')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        description:
          'An API key: `Authorization: Bearer cvk_…`. Each operation names its scope (x-required-scope).',
      },
      BEARER_SCHEME,
    );
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
  const { auth } = app.get<AppConfig>(APP_CONFIG);
  if (!auth.metricsPublic) document.paths['/metrics'].get!.security = [{ [BEARER_SCHEME]: [] }];
  completeDocument(document, STORELESS);
  return document;
}
