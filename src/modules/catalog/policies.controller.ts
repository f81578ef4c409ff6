import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Put, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ManagementRateLimitGuard } from '../../platform/http/rate-limit.guard';
import { CurrentActor } from '../../platform/http/current-actor';
import type { AuthenticatedKey } from '../../platform/http/roles';
import { Roles } from '../../platform/http/roles';
import { etag, IF_MATCH } from './catalog-errors';
import { PutPolicyDto } from './policy.dto';

import { PolicyService } from './policy.service';

@ApiTags('slots')
@ApiBearerAuth()
@Controller('v1/slots')
@UseGuards(ManagementRateLimitGuard)
export class PoliciesController {
  constructor(private readonly policies: PolicyService) {}

  @Get(':slot/policy')
  @Roles('viewer')
  @ApiOperation({ summary: "Get the slot's delivery policy, with warnings about branches that earlier ones hide." })
  async getPolicy(@Param('slot') slot: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.policies.getPolicy(slot);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Put(':slot/policy')
  @Roles('operator')
  @ApiHeader({ ...IF_MATCH, required: false, description: 'Required when replacing an existing policy.' })
  @ApiOperation({
    summary: 'Create or replace the delivery policy of a slot: ordered branches of audience → candidates → method.',
    description:
      'Examples of the three combinations: (1) [{audience:{package:"vip"}, method:"designated", campaignIds:[A]}]; ' +
      '(2) [{audience:{package:"vip"}, method:"model", modelId:"ftrl-main", campaignIds:[B,C]}, {audience:"everyone", method:"priority", campaignIds:[D,E]}]; ' +
      '(3) [{audience:{package:"vip"}, method:"designated", campaignIds:[A]}, {audience:"everyone", method:"model", modelId:"ftrl-main", campaignIds:[B,C,D]}]',
  })
  @ApiResponse({ status: 200, description: 'Replaced' })
  @ApiResponse({ status: 201, description: 'Created' })
  async putPolicy(
    @Param('slot') slot: string,
    @Body() body: PutPolicyDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: AuthenticatedKey,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { view, created } = await this.policies.putPolicy(slot, body, ifMatch, actor);
    reply.status(created ? 201 : 200).header('etag', etag(view.version));
    return view;
  }

  @Delete(':slot/policy')
  @Roles('operator')
  @HttpCode(204)
  @ApiOperation({ summary: "Delete the slot's delivery policy (the slot then serves nothing)." })
  async deletePolicy(@Param('slot') slot: string, @CurrentActor() actor: AuthenticatedKey): Promise<void> {
    await this.policies.deletePolicy(slot, actor);
  }
}
