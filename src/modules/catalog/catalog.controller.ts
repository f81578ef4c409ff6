import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ManagementRateLimitGuard } from '../../platform/http/rate-limit.guard';
import { CurrentActor } from '../../platform/http/current-actor';
import type { AuthenticatedKey } from '../../platform/http/roles';
import { Roles } from '../../platform/http/roles';
import { etag } from './catalog-errors';
import {
  CampaignListQueryDto,
  CreateCampaignDto,
  CreateCreativeDto,
  CreateSlotDto,
  PutPolicyDto,
  StatusChangeDto,
  UpdateCampaignDto,
  UpdateCreativeDto,
  UpdateSlotDto,
} from './catalog.dto';
import { ConfigService, type TrafficRow } from './catalog.service';
import { toCsv } from '../../platform/http/csv';

const IF_MATCH = { name: 'If-Match', required: true, description: 'ETag of the version you read, e.g. "3". Stale → 409; missing → 428.' };

@ApiTags('slots')
@ApiBearerAuth()
@Controller('v1/slots')
@UseGuards(ManagementRateLimitGuard)
export class SlotsController {
  constructor(private readonly config: ConfigService) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'List ad slots.' })
  list() {
    return this.config.listSlots();
  }

  @Post()
  @Roles('operator')
  @ApiOperation({ summary: 'Create an ad slot (position, format, platforms, ads per response, ad-load cap).' })
  @ApiResponse({ status: 201, description: 'Created; ETag holds its version.' })
  async create(@Body() body: CreateSlotDto, @CurrentActor() actor: AuthenticatedKey, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.config.createSlot(body, actor);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Get(':slot')
  @Roles('viewer')
  @ApiOperation({ summary: 'Get a slot by id or key.' })
  async get(@Param('slot') slot: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.config.getSlot(slot);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Patch(':slot')
  @Roles('operator')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Change a slot (optimistic concurrency with If-Match).' })
  async update(
    @Param('slot') slot: string,
    @Body() body: UpdateSlotDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: AuthenticatedKey,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const view = await this.config.updateSlot(slot, body, ifMatch, actor);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Delete(':slot')
  @Roles('operator')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a slot. Refused with 409, naming the users, while a policy or campaign uses it.' })
  async remove(@Param('slot') slot: string, @CurrentActor() actor: AuthenticatedKey): Promise<void> {
    await this.config.deleteSlot(slot, actor);
  }

  @Get(':slot/policy')
  @Roles('viewer')
  @ApiOperation({ summary: "Get the slot's delivery policy, with warnings about branches that earlier ones hide." })
  async getPolicy(@Param('slot') slot: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.config.getPolicy(slot);
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
    const { view, created } = await this.config.putPolicy(slot, body, ifMatch, actor);
    reply.status(created ? 201 : 200).header('etag', etag(view.version));
    return view;
  }

  @Delete(':slot/policy')
  @Roles('operator')
  @HttpCode(204)
  @ApiOperation({ summary: "Delete the slot's delivery policy (the slot then serves nothing)." })
  async deletePolicy(@Param('slot') slot: string, @CurrentActor() actor: AuthenticatedKey): Promise<void> {
    await this.config.deletePolicy(slot, actor);
  }
}

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('v1/campaigns')
@UseGuards(ManagementRateLimitGuard)
export class CampaignsController {
  constructor(private readonly config: ConfigService) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'The traffic table: every ad with strategy, platforms, slots, delivery modes and schedule; filtered and paginated.' })
  list(@Query() query: CampaignListQueryDto) {
    return this.config.trafficTable(query);
  }

  @Get('export.csv')
  @Roles('viewer')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The traffic table as CSV (same filters, no pagination).' })
  async exportCsv(@Query() query: CampaignListQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const rows = await this.config.trafficRows(query);
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="campaigns.csv"');
    return toCsv(
      ['id', 'name', 'category', 'status', 'priority', 'strategy', 'platforms', 'slots', 'delivery_modes', 'start_at', 'end_at', 'time_zone', 'day_parting'],
      rows.map((r: TrafficRow) => [
        r.id, r.name, r.category, r.status, r.priority, r.strategy, r.platforms.join('|'), r.slots.join('|'), r.deliveryModes.join('|'),
        r.schedule.startAt, r.schedule.endAt ?? '', r.schedule.timeZone, r.schedule.dayParting,
      ]),
    );
  }

  @Post()
  @Roles('operator')
  @ApiOperation({ summary: 'Create a campaign (starts as draft).' })
  async create(@Body() body: CreateCampaignDto, @CurrentActor() actor: AuthenticatedKey, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.config.createCampaign(body, actor);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'Get a campaign with its creatives.' })
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.config.getCampaign(id);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Patch(':id')
  @Roles('operator')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Change a campaign (optimistic concurrency with If-Match).' })
  async update(
    @Param('id') id: string,
    @Body() body: UpdateCampaignDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: AuthenticatedKey,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const view = await this.config.updateCampaign(id, body, ifMatch, actor);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Post(':id/status')
  @Roles('operator')
  @HttpCode(200)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Move a campaign through its lifecycle: draft → active ⇄ paused → ended, or archived.' })
  async status(
    @Param('id') id: string,
    @Body() body: StatusChangeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: AuthenticatedKey,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const view = await this.config.changeStatus(id, body.status, ifMatch, actor);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Post(':id/creatives')
  @Roles('operator')
  @ApiOperation({ summary: 'Add a creative (image, audio or text; http/https landing URL; rotation weight).' })
  async addCreative(@Param('id') id: string, @Body() body: CreateCreativeDto, @CurrentActor() actor: AuthenticatedKey, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.config.addCreative(id, body, actor);
    reply.header('etag', etag(view.version));
    return view;
  }
}

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('v1/creatives')
@UseGuards(ManagementRateLimitGuard)
export class CreativesController {
  constructor(private readonly config: ConfigService) {}

  @Patch(':id')
  @Roles('operator')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Change a creative (optimistic concurrency with If-Match).' })
  async update(
    @Param('id') id: string,
    @Body() body: UpdateCreativeDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: AuthenticatedKey,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const view = await this.config.updateCreative(id, body, ifMatch, actor);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Delete(':id')
  @Roles('operator')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a creative (refused if an active campaign would be left without a creative for one of its slots).' })
  async remove(@Param('id') id: string, @CurrentActor() actor: AuthenticatedKey): Promise<void> {
    await this.config.deleteCreative(id, actor);
  }
}
