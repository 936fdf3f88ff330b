import 'reflect-metadata';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createHttpApp } from '@conveyor/common';
import { loadConfig } from '@conveyor/config';
import { DemoWorkPayloadDto, UserProcessPayloadDto } from '@conveyor/contracts';
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
    { extraModels: [DemoWorkPayloadDto, UserProcessPayloadDto] },
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await app.listen(config.gateway.port, config.gateway.host);
}

void bootstrap();
