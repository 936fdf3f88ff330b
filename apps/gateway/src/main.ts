import 'reflect-metadata';
import { SwaggerModule } from '@nestjs/swagger';
import { createHttpApp } from '@conveyor/common';
import { loadConfig } from '@conveyor/config';
import { ApiKeysService, installAccessControl } from '@conveyor/access/gateway';
import { acceptProtobufBodies } from '@conveyor/events/gateway';
import { startConsumers } from '@conveyor/messaging';
import { serveConsole } from './console';
import { GatewayModule } from './gateway.module';
import { gatewayDocument } from './openapi';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createHttpApp(GatewayModule.register(config), config.http);
  installAccessControl(app);
  acceptProtobufBodies(app, config.http.bodyLimit);
  SwaggerModule.setup('docs', app, gatewayDocument(app), { jsonDocumentUrl: 'docs-json' });
  await serveConsole(app);
  await app.init(); // every module ready before the first message or request
  if (config.env === 'production' && !(await app.get(ApiKeysService).adminKeyExists())) {
    // Nobody could manage keys: create one with `npm run apikey -- create --scopes admin`.
    process.stderr.write(
      'no admin API key: set ADMIN_API_KEY or create one with `npm run apikey -- create --name admin --scopes admin`\n',
    );
    process.exit(78);
  }
  await startConsumers(app, config);
  await app.listen(config.gateway.port, config.gateway.host);
}

void bootstrap();
