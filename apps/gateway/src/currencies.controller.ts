import { Controller, Get, Query, Res } from '@nestjs/common';
import { RequireScope } from '@conveyor/access/gateway';
import {
  ApiAcceptedResponse,
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ErrorResponseDto } from '@conveyor/common';
import {
  ConversionAcceptedDto,
  ConversionDto,
  ConversionQueryDto,
  ConversionsService,
  CurrenciesService,
  CurrencyListDto,
} from '@conveyor/currency/gateway';

@ApiTags('currencies')
@Controller()
export class CurrenciesController {
  constructor(
    private readonly currencies: CurrenciesService,
    private readonly conversions: ConversionsService,
  ) {}

  @Get('currencies')
  @RequireScope('tasks:read')
  @ApiOperation({
    summary: 'Supported currencies with their latest rate against EUR and its date',
    description:
      'The ECB reference set and the euro; a currency without a rate yet has rate and rateDate null.',
  })
  @ApiOkResponse({ type: CurrencyListDto })
  list(): Promise<CurrencyListDto> {
    return this.currencies.list();
  }

  @Get('conversions')
  @RequireScope('tasks:write')
  @ApiOperation({
    summary: 'Convert an amount',
    description:
      'An identical request answered in the last 30 minutes comes from the cache (`cached: true`, `ageSeconds`). ' +
      'Otherwise a `currency.convert` task runs (on the high lane with `priority=true`) and the request waits ' +
      'for it up to CONVERSION_WAIT_MS; after that the answer is 202 with the task URL.',
  })
  @ApiOkResponse({ type: ConversionDto })
  @ApiAcceptedResponse({ type: ConversionAcceptedDto, description: 'Still running; follow the task' })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description: 'A parameter is invalid; the message names it',
  })
  @ApiBadGatewayResponse({
    type: ErrorResponseDto,
    description: 'The conversion task failed (say, no rates)',
  })
  async convert(
    @Query() query: ConversionQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConversionDto | ConversionAcceptedDto> {
    const answer = await this.conversions.convert(query);
    void reply.status(answer.status);
    return answer.body;
  }
}
