import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiKeyCreateDto,
  ApiKeyCreatedDto,
  ApiKeyDto,
  ApiKeyListDto,
  ApiKeyRow,
  ApiKeysService,
  AuditListDto,
  AuditQueryDto,
  AuditRepository,
  RequireScope,
} from '@conveyor/access/gateway';
import { ErrorResponseDto, PageQueryDto, toPage, uuidParam } from '@conveyor/common';

function keyView(row: ApiKeyRow): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

@ApiTags('access')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller()
export class AccessController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly audit: AuditRepository,
  ) {}

  @Post('api-keys')
  @RequireScope('admin')
  @ApiOperation({
    summary: 'Create an API key',
    description: 'The answer holds the key itself, shown this once; only a hash of its secret is stored.',
  })
  @ApiCreatedResponse({ type: ApiKeyCreatedDto })
  async create(@Body() dto: ApiKeyCreateDto): Promise<ApiKeyCreatedDto> {
    const { row, key } = await this.keys.create(dto);
    return { ...keyView(row), key };
  }

  @Get('api-keys')
  @RequireScope('admin')
  @ApiOperation({
    summary: 'List API keys, newest first',
    description: 'Revoked and expired keys too (the audit trail names them); never a secret or its hash.',
  })
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(@Query() q: PageQueryDto): Promise<ApiKeyListDto> {
    const rows = await this.keys.list(q.limit + 1, q.offset);
    return toPage(rows.map(keyView), q.limit, q.offset);
  }

  @Delete('api-keys/:id')
  @RequireScope('admin')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke an API key',
    description:
      'Refused by every gateway within twice AUTH_CACHE_MS (0.5 s unless set). The row stays for the audit trail.',
  })
  @ApiNoContentResponse({ description: 'Revoked (or it already was)' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async revoke(@Param('id', uuidParam) id: string): Promise<void> {
    await this.keys.revoke(id);
  }

  @Get('audit')
  @RequireScope('admin')
  @ApiOperation({
    summary: 'The audit trail: every mutating request that succeeded, newest first',
    description:
      'Who (key id and name), what (method, route, target id), the status, when, from which address.',
  })
  @ApiOkResponse({ type: AuditListDto })
  async auditTrail(@Query() q: AuditQueryDto): Promise<AuditListDto> {
    const rows = await this.audit.list({
      keyId: q.keyId,
      since: q.since ? new Date(q.since) : undefined,
      limit: q.limit,
    });
    return { items: rows.map((r) => ({ ...r, at: r.at.toISOString() })) };
  }
}
