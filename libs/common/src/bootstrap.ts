import { DynamicModule, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { HttpErrorFilter } from './http-error.filter';

/** Creates a Fastify-backed Nest app with the house validation and error format. */
export async function createHttpApp(
  module: DynamicModule,
  bodyLimit: number,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter({ bodyLimit }), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
    }),
  );
  exitCleanlyOn(app, ['SIGTERM', 'SIGINT']);
  return app;
}

/**
 * Runs the shutdown hooks (drain, close connections) and exits 0. Nest's own enableShutdownHooks
 * re-raises the signal afterwards, which process managers read as a crash.
 */
function exitCleanlyOn(app: NestFastifyApplication, signals: NodeJS.Signals[]): void {
  let closing = false;
  for (const signal of signals) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      app.close().then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`shutdown failed: ${String(err)}\n`);
          process.exit(1);
        },
      );
    });
  }
}
