import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  ApiKeysService,
  LoginDto,
  bearerKey,
  Public,
  RateLimits,
  SessionDto,
  sameOrigin,
  sessionCookie,
  sessionKey,
} from '@conveyor/access/gateway';
import { ErrorResponseDto } from '@conveyor/common';
import { APP_CONFIG, AppConfig } from '@conveyor/config';

type Refusal = { statusCode: number; error: string; message: string };

/** The console's login: an API key in, an HttpOnly session cookie out (the page never holds the key). */
@ApiTags('access')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input; the message names the field' })
@Controller('session')
export class SessionController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly limits: RateLimits,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in with an API key',
    description:
      'Sets the `conveyor_key` cookie (HttpOnly, SameSite=Strict, 8 hours; Secure in production), which then ' +
      'stands for `Authorization: Bearer`. A change made with the cookie must carry an Origin header naming ' +
      'this gateway. Wrong keys count towards the address’s failure limit, as on any route.',
  })
  @ApiOkResponse({ type: SessionDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'The key does not work' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'Sent from a page of another site' })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'Too many wrong keys from this address',
  })
  async login(
    @Body() dto: LoginDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionDto | Refusal> {
    if (req.headers.origin !== undefined && !sameOrigin(req))
      return refusal(reply, 403, 'Forbidden', 'a login must come from a page of this gateway');
    const waitMs = await this.limits.addressBlockedMs(req.ip);
    if (waitMs > 0) {
      void reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
      return refusal(
        reply,
        429,
        'Too Many Requests',
        'too many wrong API keys from this address; retry later',
      );
    }
    const identity = await this.keys.authenticate(dto.key);
    if (!identity) {
      await this.limits.refusedKey(req.ip);
      return refusal(reply, 401, 'Unauthorized', 'the API key is not valid (unknown, revoked or expired)');
    }
    void reply.header('set-cookie', sessionCookie(dto.key, this.secure));
    return { name: identity.name, scopes: identity.scopes };
  }

  @Get()
  @Public()
  @ApiOperation({
    summary: 'Who the session (or the bearer key) is',
    description:
      'The name and scopes of the key the request carries, so the console shows only what it may do.',
  })
  @ApiOkResponse({ type: SessionDto })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'No key, or one that does not work' })
  async whoAmI(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const key = bearerKey(req) ?? sessionKey(req);
    const identity = key ? await this.keys.authenticate(key) : undefined;
    if (!identity) return refusal(reply, 401, 'Unauthorized', 'not logged in: no valid API key');
    return { name: identity.name, scopes: identity.scopes };
  }

  @Delete()
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Log out', description: 'Clears the session cookie.' })
  @ApiNoContentResponse({ description: 'Logged out' })
  logout(@Res({ passthrough: true }) reply: FastifyReply): void {
    void reply.header('set-cookie', sessionCookie(null, this.secure));
  }

  private get secure(): boolean {
    return this.config.env === 'production';
  }
}

function refusal(reply: FastifyReply, status: number, error: string, message: string): Refusal {
  void reply.status(status);
  return { statusCode: status, error, message };
}
