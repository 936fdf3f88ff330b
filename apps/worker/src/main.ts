import 'reflect-metadata';
import { createHttpApp } from '@conveyor/common';
import { loadConfig } from '@conveyor/config';
import { startConsumers } from '@conveyor/messaging';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createHttpApp(WorkerModule.register(config), config.http);
  // Handlers register in onModuleInit: a message taken before it would be refused as UNKNOWN_TYPE.
  await app.init();
  await startConsumers(app, config);
  await app.listen(config.worker.port, config.worker.host);
}

void bootstrap();
