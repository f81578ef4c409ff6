import { Body, Controller, HttpCode, Inject, Injectable, type PipeTransform, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config/config';
import { validationError } from '../../platform/http/validation';
import { APP_CONFIG } from '../../platform/tokens';
import { Roles } from '../../platform/http/roles';
import { checkDecisionRequest, DECISION_BODY, type DecisionInput } from './decision-request';
import type { DecisionView } from './decision-view';
import { DecisionService } from './decision.service';

/** The decision body's own check (the global ValidationPipe skips it: the parameter type is an interface). */
@Injectable()
export class DecisionRequestPipe implements PipeTransform<unknown, DecisionInput> {
  transform(body: unknown): DecisionInput {
    const check = checkDecisionRequest(body);
    if (check.kind === 'invalid') throw validationError(check.errors);
    return check.input;
  }
}

@ApiTags('delivery')
@ApiBearerAuth()
@Controller('v1/decisions')
export class DecisionController {
  constructor(
    private readonly decisions: DecisionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @Roles('slot-client')
  @ApiOperation({
    summary: 'Which ads to show to this listener in this slot, with signed tracking links. explain=true lists every dropped candidate and why.',
  })
  @ApiBody({ schema: DECISION_BODY.schema })
  @ApiOkResponse({
    schema: {
      example: {
        slotId: '0b6c…',
        slotKey: 'phone-desktop-banner',
        snapshotVersion: 42,
        fallback: null,
        ads: [
          {
            decisionId: '5f0e…',
            campaignId: '6f1c…',
            campaignName: 'D: Concert tickets partner',
            creative: { id: '9a2d…', type: 'image', title: 'D creative', assetUrl: 'https://cdn.example.com/D.jpg', landingUrl: 'https://music.example.com/promo/D' },
            branch: 'everyone by priority',
            method: 'priority',
            probability: 1,
            position: 0,
            explored: false,
            trackingUrls: { impression: 'http://host/v1/t/impression?t=…', click: 'http://host/v1/t/click?t=…', conversion: 'http://host/v1/t/conversion?t=…', skip: 'http://host/v1/t/skip?t=…' },
          },
        ],
      },
    },
  })
  decide(@Body(DecisionRequestPipe) body: DecisionInput, @Req() request: FastifyRequest): Promise<DecisionView> {
    const base = this.config.publicBaseUrl ?? `${request.protocol}://${request.headers.host ?? `${request.hostname}`}`;
    return this.decisions.decide(body, base.replace(/\/$/, ''));
  }
}
