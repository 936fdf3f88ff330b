import { ArgumentMetadata, DynamicModule, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@conveyor/config';
import { HttpErrorFilter } from './http-error.filter';
import { installInputGuards } from './input-guards';

/** Creates a Fastify-backed Nest app with the house input guards, validation and error format. */
export async function createHttpApp(
  module: DynamicModule,
  http: AppConfig['http'],
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: http.bodyLimit,
    // A path parameter may be a group name: 200 characters, up to 2,400 once URL-encoded.
    maxParamLength: 2400,
    // A client that has not sent its whole request in time gets 408 and loses the connection.
    requestTimeout: http.requestTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    // Node checks those deadlines every connectionsCheckingInterval (30 s unless told).
    http: { headersTimeout: http.headersTimeoutMs, connectionsCheckingInterval: 1000 },
  });
  // Past the cap, Node closes a new connection at once instead of letting it wait for memory.
  adapter.getInstance().server.maxConnections = http.maxConnections;
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true });
  installInputGuards(app, http);
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(
    new DecimalValidationPipe({
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
 * The house ValidationPipe, but a numeric path or query parameter is read as decimal digits only:
 * Nest's own reads `+value`, so `/users/1e3` reached the route as 1000 and `0x10` as 16. Anything
 * else stays text, which the parameter's own pipe (say ParseIntPipe) then refuses with a 400.
 */
class DecimalValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.metatype === Number && typeof value === 'string' && metadata.data) {
      return /^-?\d{1,15}$/.test(value) ? Number(value) : value;
    }
    return super.transformPrimitive(value, metadata);
  }
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
