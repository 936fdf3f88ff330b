import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '@conveyor/config';
import { AccessMetrics } from './access.metrics';
import { sameOrigin, sessionKey } from './console-session';
import { ApiKeysService, KeyIdentity } from './api-keys.service';
import { RateDecision, RateLimits } from './rate-limits';
import { RouteAccess, allows } from './scopes';

declare module 'fastify' {
  interface FastifyRequest {
    /** The key the request was made with (null: a public route, or AUTH=off). */
    apiKey: KeyIdentity | null;
  }
}

const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const CHALLENGE = 'Bearer realm="conveyor"';
const BEARER = /^Bearer +([\x21-\x7e]{1,200})$/i;

/** The key of an `Authorization: Bearer` header, if the request has one. */
export function bearerKey(req: FastifyRequest): string | undefined {
  return BEARER.exec(req.headers.authorization ?? '')?.[1];
}

/** What a route needs: its own `access` (see RequireScope), else a rule for the non-Nest routes. */
function routeAccess(req: FastifyRequest, config: AppConfig['auth']): RouteAccess {
  const declared = (req.routeOptions.config as { access?: RouteAccess | 'metrics' } | undefined)?.access;
  if (declared === 'metrics') return config.metricsPublic ? 'public' : 'key';
  if (declared) return declared;
  const url = req.routeOptions.url ?? '';
  if (url === '/docs' || url.startsWith('/docs/') || url === '/docs-json' || url === '/docs-yaml')
    return config.docsPublic ? 'public' : 'key';
  // The console's static files: no data in them; the API calls they make are checked as any.
  if (url === '/console' || url.startsWith('/console/')) return 'public';
  return 'key'; // a route nobody declared, or none at all: closed
}

/**
 * Checks every request before its body is read: the key (401), its scope (403), the key's rate
 * limit (429). Refusals write nothing and are counted in metrics. A Fastify hook rather than a Nest
 * guard, so the plain Fastify routes (search, docs) are covered by the same code.
 */
export function installAccessControl(app: NestFastifyApplication): void {
  const config = app.get<AppConfig>(APP_CONFIG).auth;
  const keys = app.get(ApiKeysService);
  const limits = app.get(RateLimits);
  const metrics = app.get(AccessMetrics);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.decorateRequest('apiKey', null);

  const refuse = (reply: FastifyReply, status: number, reason: string, message: string) => {
    metrics.refused.inc({ status: String(status), reason });
    return reply.code(status).type('application/json; charset=utf-8').send({
      statusCode: status,
      error: REASONS[status],
      message,
    });
  };

  fastify.addHook('onRequest', async (req, reply) => {
    if (!config.enabled) return;
    const access = routeAccess(req, config);
    if (access === 'public') return;

    const waitMs = await limits.addressBlockedMs(req.ip);
    if (waitMs > 0) {
      void reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
      return refuse(
        reply,
        429,
        'address',
        'too many requests without a valid API key from this address; retry later',
      );
    }
    const bearer = bearerKey(req);
    const token = bearer ?? sessionKey(req);
    if (!token) {
      await limits.refusedKey(req.ip);
      void reply.header('www-authenticate', CHALLENGE);
      return refuse(reply, 401, 'missing', 'an API key is required: send Authorization: Bearer <key>');
    }
    // The console's cookie goes with every request a browser makes, a forged one included.
    if (!bearer && !READS.has(req.method) && !sameOrigin(req)) {
      return refuse(
        reply,
        403,
        'origin',
        'a change made with the session cookie must come from this gateway (its Origin header names this host)',
      );
    }
    let identity: KeyIdentity | undefined;
    try {
      identity = await keys.authenticate(token);
    } catch {
      return refuse(
        reply,
        503,
        'unavailable',
        'API keys cannot be checked: the database is unavailable; retry shortly',
      );
    }
    if (!identity) {
      await limits.refusedKey(req.ip);
      void reply.header('www-authenticate', `${CHALLENGE}, error="invalid_token"`);
      return refuse(reply, 401, 'invalid', 'the API key is not valid (unknown, revoked or expired)');
    }
    if (!allows(identity.scopes, access)) {
      void reply.header('www-authenticate', `${CHALLENGE}, error="insufficient_scope", scope="${access}"`);
      return refuse(
        reply,
        403,
        'scope',
        `this API key lacks the scope "${access}" that ${req.method} ${req.routeOptions.url ?? req.url} needs`,
      );
    }
    const rate = await limits.take(identity.id ?? 'env', !READS.has(req.method));
    if (rate) rateHeaders(reply, rate);
    if (rate && !rate.allowed) {
      void reply.header('retry-after', String(rate.resetSeconds));
      return refuse(
        reply,
        429,
        'rate',
        `this API key's ${READS.has(req.method) ? 'read' : 'write'} rate limit (${rate.limit}/s) is used up; retry after ${rate.resetSeconds} s`,
      );
    }
    req.apiKey = identity;
    keys.noteUse(identity);
  });
}

function rateHeaders(reply: FastifyReply, rate: RateDecision): void {
  void reply.header('ratelimit-limit', String(rate.limit));
  void reply.header('ratelimit-remaining', String(rate.remaining));
  void reply.header('ratelimit-reset', String(rate.resetSeconds));
}
