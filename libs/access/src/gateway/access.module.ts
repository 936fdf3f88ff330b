import { Module } from '@nestjs/common';
import { AccessMetrics } from './access.metrics';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { AuditInterceptor } from './audit.interceptor';
import { AuditRepository } from './audit.repository';
import { RateLimits } from './rate-limits';

/** API keys, scopes, rate limits and the audit trail of the gateway (installAccessControl in main). */
@Module({
  providers: [
    ApiKeysRepository,
    ApiKeysService,
    AuditRepository,
    AccessMetrics,
    RateLimits,
    AuditInterceptor,
  ],
  exports: [ApiKeysService, AuditRepository, AuditInterceptor, RateLimits, AccessMetrics],
})
export class AccessModule {}
