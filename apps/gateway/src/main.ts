import 'reflect-metadata';
import { SwaggerModule } from '@nestjs/swagger';
import { createHttpApp } from '@conveyor/common';
import { loadConfig } from '@conveyor/config';
import { acceptProtobufBodies } from '@conveyor/events/gateway';
import { startConsumers } from '@conveyor/messaging';
import { GatewayModule } from './gateway.module';
import { gatewayDocument } from './openapi';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createHttpApp(GatewayModule.register(config), config.http);
  acceptProtobufBodies(app, config.http.bodyLimit);
  SwaggerModule.setup('docs', app, gatewayDocument(app), { jsonDocumentUrl: 'docs-json' });
  await startConsumers(app, config);
  await app.listen(config.gateway.port, config.gateway.host);
}

void bootstrap();
