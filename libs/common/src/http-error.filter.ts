import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppError, HTTP_STATUS_OF } from './app.error';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** Postgres or network failures that mean "try again later", not "your request is wrong". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
]);

/** Maps every error to `{statusCode, error, message}`; only a bug is a 500, and it is logged. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    // Health checks answer 503 with their own body (which service is down): keep it.
    const own = exception instanceof HttpException ? exception.getResponse() : undefined;
    if (typeof own === 'object' && own !== null && 'details' in own) {
      void reply.status((exception as HttpException).getStatus()).send(own);
      return;
    }
    const body = this.toBody(exception);
    if (body.statusCode === 500) {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    void reply.status(body.statusCode).send(body);
  }

  toBody(exception: unknown): ErrorBody {
    if (exception instanceof AppError) return make(HTTP_STATUS_OF[exception.code], exception.message);
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const raw =
        typeof response === 'object' && response !== null
          ? (response as { message?: unknown }).message
          : response;
      const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
      return make(status, message);
    }
    const err = exception as { statusCode?: unknown; message?: unknown };
    // Fastify's own errors (malformed JSON, body too large, bad content type) carry a statusCode.
    if (typeof err?.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return make(err.statusCode, typeof err.message === 'string' ? err.message : 'Bad request');
    }
    // On the request path only PostgreSQL can fail like this (Redis and RabbitMQ are used off it).
    if (isOutage(exception)) return make(503, 'The database is unavailable; retry shortly');
    return make(500, 'Internal server error');
  }
}

function isOutage(exception: unknown): boolean {
  const code = (exception as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  // pg's pool and query timeouts, and TypeORM's runner whose session the server terminated.
  return (
    exception instanceof Error &&
    /Connection terminated|connect ECONNREFUSED|pool is draining|timeout exceeded when trying to connect|Query read timeout|query runner (was )?already released/i.test(
      exception.message,
    )
  );
}

function make(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: REASONS[statusCode] ?? 'Error', message };
}
