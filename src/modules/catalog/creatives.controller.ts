import { Body, Controller, Delete, Headers, HttpCode, Param, Patch, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ManagementRateLimitGuard } from '../../platform/http/rate-limit.guard';
import { CurrentActor } from '../../platform/http/current-actor';
import type { AuthenticatedKey } from '../../platform/http/roles';
import { Roles } from '../../platform/http/roles';
import { etag, IF_MATCH } from './catalog-errors';
import { UpdateCreativeDto } from './creative.dto';

import { CreativeService } from './creative.service';

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('v1/creatives')
@UseGuards(ManagementRateLimitGuard)
export class CreativesController {
  constructor(private readonly creatives: CreativeService) {}

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
    const view = await this.creatives.updateCreative(id, body, ifMatch, actor);
    reply.header('etag', etag(view.version));
    return view;
  }

  @Delete(':id')
  @Roles('operator')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a creative (refused if an active campaign would be left without a creative for one of its slots).' })
  async remove(@Param('id') id: string, @CurrentActor() actor: AuthenticatedKey): Promise<void> {
    await this.creatives.deleteCreative(id, actor);
  }
}
