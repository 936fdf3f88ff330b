import 'reflect-metadata';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createHttpApp } from '@conveyor/common';
import { loadConfig } from '@conveyor/config';
import { startConsumers } from '@conveyor/messaging';
import {
  CurrencyConvertPayloadDto,
  DemoWorkPayloadDto,
  PlansSyncPayloadDto,
  UserProcessPayloadDto,
} from '@conveyor/contracts';
import { SearchResponseDto } from '@conveyor/plans/gateway';
import { GatewayModule } from './gateway.module';
import { SEARCH_OPENAPI } from './search.route';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createHttpApp(GatewayModule.register(config), config.http);
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
  document.paths['/search'] = SEARCH_OPENAPI;
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await startConsumers(app, config);
  await app.listen(config.gateway.port, config.gateway.host);
}

void bootstrap();
