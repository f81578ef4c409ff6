import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ManagementRateLimitGuard } from '../../platform/http/rate-limit.guard';
import { CurrentActor } from '../../platform/http/current-actor';
import type { AuthenticatedKey } from '../../platform/http/roles';
import { Roles } from '../../platform/http/roles';
import { etag, IF_MATCH } from './catalog-errors';
import { CreateSlotDto, UpdateSlotDto } from './slot.dto';

import { SlotService } from './slot.service';

@ApiTags('slots')
@ApiBearerAuth()
@Controller('v1/slots')
@UseGuards(ManagementRateLimitGuard)
export class SlotsController {
  constructor(private readonly slots: SlotService) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'List ad slots.' })
  list() {
    return this.slots.listSlots();
  }

  @Post()
  @Roles('operator')
  @ApiOperation({ summary: 'Create an ad slot (position, format, platforms, ads per response, ad-load cap).' })
  @ApiResponse({ status: 201, description: 'Created; ETag holds its version.' })
  async create(@Body() body: CreateSlotDto, @CurrentActor() actor: AuthenticatedKey, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.slots.createSlot(body, actor);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Get(':slot')
  @Roles('viewer')
  @ApiOperation({ summary: 'Get a slot by id or key.' })
  async get(@Param('slot') slot: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.slots.getSlot(slot);
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
    const view = await this.slots.updateSlot(slot, body, ifMatch, actor);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Delete(':slot')
  @Roles('operator')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a slot. Refused with 409, naming the users, while a policy or campaign uses it.' })
  async remove(@Param('slot') slot: string, @CurrentActor() actor: AuthenticatedKey): Promise<void> {
    await this.slots.deleteSlot(slot, actor);
  }
}
