import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, mergeMap } from 'rxjs';
import { v7 as uuidv7 } from 'uuid';
import { CommitHook, commitHooks } from '@conveyor/db';
import { AuditEntry, AuditRepository, auditRow } from './audit.repository';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Appends an audit row for every mutating request that succeeds: inside the first transaction the
 * request commits (so a change and its row land together, or neither), or after the handler when
 * it changed nothing in PostgreSQL (POST /events publishes to the broker). A refused request
 * writes nothing here; bad input is not a change.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditRepository) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    if (!MUTATING.has(req.method)) return next.handle();
    const reply = http.getResponse<FastifyReply>();
    const id = uuidv7();
    let written: AuditEntry | undefined;
    const hook: CommitHook = {
      done: false,
      row: (result) => auditRow(id, (written = this.entry(req, reply.statusCode, result))),
    };
    return new Observable((subscriber) =>
      commitHooks.run(hook, () =>
        next
          .handle()
          .pipe(
            mergeMap(async (value: unknown) => {
              const targetOf = () => idOf((value as { id?: unknown } | null)?.id) ?? null;
              if (!hook.done) {
                hook.done = true;
                await this.audit.append(id, this.entry(req, reply.statusCode, value));
              } else if (written) {
                // Known only now: the status (a repeated Idempotency-Key answers 200) or what was made.
                const targetId = written.targetId ?? targetOf();
                if (written.status !== reply.statusCode || targetId !== written.targetId)
                  await this.audit.complete(id, reply.statusCode, targetId);
              }
              return value;
            }),
          )
          .subscribe(subscriber),
      ),
    );
  }

  private entry(req: FastifyRequest, status: number, result: unknown): AuditEntry {
    const params = req.params as Record<string, unknown> | undefined;
    return {
      keyId: req.apiKey?.id ?? null,
      keyName: req.apiKey?.name ?? null,
      method: req.method,
      route: req.routeOptions.url ?? req.url,
      targetId: idOf(params?.id) ?? idOf((result as { id?: unknown } | null)?.id) ?? null,
      status,
      clientAddress: req.ip,
    };
  }
}

function idOf(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
