import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** Refused requests are counted here, not written to the audit trail one row each. */
@Injectable()
export class AccessMetrics {
  readonly refused: Counter<'status' | 'reason'>;
  readonly limiterUnavailable: Counter;

  constructor(registry: Registry) {
    this.refused = new Counter({
      name: 'conveyor_http_refused_total',
      help: 'Requests refused by access control: 401 (no or bad key), 403 (scope), 429 (rate limit)',
      labelNames: ['status', 'reason'],
      registers: [registry],
    });
    this.limiterUnavailable = new Counter({
      name: 'conveyor_rate_limit_unavailable_total',
      help: 'Requests served without a rate-limit check because Redis did not answer (fail open)',
      registers: [registry],
    });
  }
}
