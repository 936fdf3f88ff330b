import { UseInterceptors, applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '@conveyor/common';
import { AuditInterceptor } from './audit.interceptor';
import type { RouteAccess, Scope } from './scopes';

/** Scopes whose routes change something: their requests are audited. */
const WRITE_SCOPES: readonly Scope[] = ['tasks:write', 'users:write', 'events:write', 'admin'];

/** Name of the bearer security scheme in the OpenAPI document. */
export const BEARER_SCHEME = 'apiKey';

/** What the access-control hook reads (Fastify route config), what /docs shows, and the audit of writes. */
export function RequireScope(scope: Scope): MethodDecorator & ClassDecorator {
  return applyDecorators(
    RouteConfig({ access: scope satisfies RouteAccess }),
    // Per route, not global: a global interceptor changes how Nest answers an SSE route's errors.
    ...(WRITE_SCOPES.includes(scope) ? [UseInterceptors(AuditInterceptor)] : []),
    ApiBearerAuth(BEARER_SCHEME),
    ApiExtension('x-required-scope', scope),
    ApiUnauthorizedResponse({
      type: ErrorResponseDto,
      description: 'No API key, or one that does not work (unknown, revoked, expired)',
    }),
    ApiForbiddenResponse({ type: ErrorResponseDto, description: `The key lacks the scope \`${scope}\`` }),
    ApiTooManyRequestsResponse({
      type: ErrorResponseDto,
      description: "The key's rate limit is used up (see Retry-After)",
    }),
  );
}

/** A route anyone may call (health): no key, no rate limit. */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(RouteConfig({ access: 'public' satisfies RouteAccess }));
}
