import { ArgumentMetadata, DynamicModule, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import * as classTransformer from 'class-transformer';
import * as classValidator from 'class-validator';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '@conveyor/config';
import { HttpErrorFilter } from './http-error.filter';
import { installInputGuards } from './input-guards';
import { validInstance } from '@conveyor/contracts';

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
  app.useGlobalPipes(houseValidationPipe());
  exitCleanlyOn(app, ['SIGTERM', 'SIGINT']);
  return app;
}

/** The pipe every route's input goes through: unknown fields are refused, values become DTO instances. */
export function houseValidationPipe(): ValidationPipe {
  return new DecimalValidationPipe(HOUSE_VALIDATION);
}

/** The packages given, not left to Nest's dynamic import (which a test runner without ESM cannot do). */
export const HOUSE_VALIDATION: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  stopAtFirstError: false,
  validatorPackage: classValidator,
  transformerPackage: classTransformer,
};

/**
 * The house ValidationPipe, but a numeric path or query parameter is read as decimal digits only:
 * Nest's own reads `+value`, so `/users/1e3` reached the route as 1000 and `0x10` as 16. Anything
 * else stays text, which the parameter's own pipe (say ParseIntPipe) then refuses with a 400.
 */
class DecimalValidationPipe extends ValidationPipe {
  /** A valid JSON body is built from rules read once per class (see validInstance); else as Nest does. */
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && metadata.metatype && value !== null && typeof value === 'object') {
      this.stripProtoKeys(value);
      const dto = validInstance(metadata.metatype as new () => object, value);
      if (dto) return dto;
    }
    return super.transform(value, metadata);
  }

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
