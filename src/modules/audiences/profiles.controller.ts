import { Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiPayloadTooLargeResponse, ApiTags, ApiUnsupportedMediaTypeResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config/config';
import { ManagementRateLimitGuard } from '../../platform/http/rate-limit.guard';
import { APP_CONFIG } from '../../platform/tokens';
import { Roles } from '../../platform/http/roles';
import { ListenerView, ProfileImportView } from './audience.dto';
import { AudienceMembershipService } from './audience-membership.service';
import { ListenerIndexService } from './listener-index.service';
import { ProfileImportService } from './profile-import.service';
import { mediaTypeOf, streamedBody, unwrap } from '../../platform/http/raw-upload';

@ApiTags('audiences')
@ApiBearerAuth()
@Controller('v1/profiles')
@UseGuards(ManagementRateLimitGuard)
export class ProfilesController {
  constructor(
    private readonly imports: ProfileImportService,
    private readonly listeners: ListenerIndexService,
    private readonly membership: AudienceMembershipService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('import')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({
    summary: 'Import listener profiles, streamed: NDJSON or CSV with a header. Upserts by user id; bad rows are reported by line and skipped.',
    description:
      'Attributes: gender, ageBand, region, cityTier (1-3), platform, vipLevel (0-7), paidPackage, activityState (new, retained, returning, active), ' +
      'languages, genres, artists, moods, tempos (multi-valued: JSON arrays, or a|b|c in CSV), monthlyMinutes, tenureDays. ' +
      'The user id column is userId, user_id, userKey, uid or id. Re-importing a user replaces that user\'s attributes. ' +
      'Rule packages recompute afterwards (queued). The body limit is MUSICBOSS_UPLOAD_LIMIT_BYTES.',
  })
  @ApiConsumes('application/x-ndjson', 'text/csv')
  @ApiBody({
    schema: { type: 'string' },
    examples: {
      ndjson: { value: '{"userId":"u1","vipLevel":3,"region":"east","genres":["rock","indie"],"monthlyMinutes":820}\n{"userId":"u2","gender":"female","paidPackage":true}\n' },
      csv: { value: 'user_id,vip_level,region,genres,monthly_minutes\nu1,3,east,rock|indie,820\nu2,0,west,,15\n' },
    },
  })
  @ApiOkResponse({ type: ProfileImportView })
  @ApiPayloadTooLargeResponse({ description: 'The body is over MUSICBOSS_UPLOAD_LIMIT_BYTES.' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not application/x-ndjson or text/csv.' })
  async import(@Req() request: FastifyRequest): Promise<ProfileImportView> {
    const body = streamedBody(request, ['application/x-ndjson', 'text/csv'], this.config.uploadLimitBytes);
    const format = mediaTypeOf(request) === 'text/csv' ? 'csv' : 'ndjson';
    return unwrap(await this.imports.importStream(body, format, { limitBytes: this.config.uploadLimitBytes }));
  }

  @Get(':userKey')
  @Roles('viewer')
  @ApiOperation({ summary: "One listener as this node's decision path sees it: dense index, profile attributes and the packages the listener is in." })
  @ApiOkResponse({ type: ListenerView })
  get(@Param('userKey') userKey: string): ListenerView {
    const userIdx = this.listeners.userIdx(userKey);
    if (userIdx === undefined) throw new NotFoundException(`no profile for listener '${userKey}'`);
    const snapshot = this.membership.current();
    const packages = [...snapshot.packageVersions.keys()].filter((key) => snapshot.isMember(key, userKey)).sort();
    return { userKey, userIdx, profile: (this.listeners.index.profileOf(userIdx) ?? {}) as Record<string, unknown>, packages };
  }
}
