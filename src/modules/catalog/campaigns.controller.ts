import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ManagementRateLimitGuard } from '../../platform/http/rate-limit.guard';
import { CurrentActor } from '../../platform/http/current-actor';
import type { AuthenticatedKey } from '../../platform/http/roles';
import { Roles } from '../../platform/http/roles';
import { etag, IF_MATCH } from './catalog-errors';
import { CampaignListQueryDto, CreateCampaignDto, StatusChangeDto, UpdateCampaignDto } from './campaign.dto';
import { CreateCreativeDto } from './creative.dto';
import { toCsv } from '../../platform/http/csv';

import { CampaignService } from './campaign.service';
import { CreativeService } from './creative.service';
import { TrafficTableService, type TrafficRow } from './traffic-table.service';

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('v1/campaigns')
@UseGuards(ManagementRateLimitGuard)
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignService,
    private readonly creatives: CreativeService,
    private readonly trafficTable: TrafficTableService,
  ) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'The traffic table: every ad with strategy, platforms, slots, delivery modes and schedule; filtered and paginated.' })
  list(@Query() query: CampaignListQueryDto) {
    return this.trafficTable.page(query);
  }

  @Get('export.csv')
  @Roles('viewer')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The traffic table as CSV (same filters, no pagination).' })
  async exportCsv(@Query() query: CampaignListQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const rows = await this.trafficTable.rows(query);
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
    const view = await this.campaigns.createCampaign(body, actor);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'Get a campaign with its creatives.' })
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.campaigns.getCampaign(id);
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
    const view = await this.campaigns.updateCampaign(id, body, ifMatch, actor);
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
    const view = await this.campaigns.changeStatus(id, body.status, ifMatch, actor);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Post(':id/creatives')
  @Roles('operator')
  @ApiOperation({ summary: 'Add a creative (image, audio or text; http/https landing URL; rotation weight).' })
  async addCreative(@Param('id') id: string, @Body() body: CreateCreativeDto, @CurrentActor() actor: AuthenticatedKey, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.creatives.addCreative(id, body, actor);
    reply.header('etag', etag(view.version));
    return view;
  }
}
