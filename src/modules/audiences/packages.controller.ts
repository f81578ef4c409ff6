import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config/config';
import { ManagementRateLimitGuard } from '../../platform/http/rate-limit.guard';
import { validationError } from '../../platform/http/validation';
import { APP_CONFIG } from '../../platform/tokens';
import { Roles } from '../../platform/http/roles';
import { CreatePackageDto, MemberUploadView, PackageVersionView, PackageView, RollbackPackageDto, UpdatePackageDto } from './audience.dto';
import { PackageService, type MemberUploadReport } from './package.service';
import { streamedBody, unwrap } from '../../platform/http/raw-upload';

function memberView(report: MemberUploadReport): MemberUploadView {
  const { package: record, ...rest } = report;
  return { ...rest, ...(record ? { package: PackageView.from(record) } : {}) };
}

@ApiTags('audiences')
@ApiBearerAuth()
@Controller('v1/packages')
@UseGuards(ManagementRateLimitGuard)
export class PackagesController {
  constructor(
    private readonly packages: PackageService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @Roles('operator')
  @ApiOperation({
    summary: 'Create a user package: upload (members come from PUT …/members), rule (a boolean expression over profile attributes) or combination (union, intersection or difference of packages).',
  })
  @ApiCreatedResponse({ type: PackageView })
  @ApiBadRequestResponse({ description: 'Invalid definition; each problem names its field, rules by JSON path (rule.and[1].attr).' })
  @ApiConflictResponse({ description: 'The key is taken.' })
  async create(@Body() body: CreatePackageDto): Promise<PackageView> {
    return PackageView.from(unwrap(await this.packages.create(body)));
  }

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'List user packages with kind, version, size and definition.' })
  @ApiOkResponse({ type: [PackageView] })
  async list(): Promise<PackageView[]> {
    return (await this.packages.list()).map(PackageView.from);
  }

  @Get(':key')
  @Roles('viewer')
  @ApiOperation({ summary: 'One user package: kind, definition, current version, size and when it last changed.' })
  @ApiOkResponse({ type: PackageView })
  async get(@Param('key') key: string): Promise<PackageView> {
    return PackageView.from(unwrap(await this.packages.get(key)));
  }

  @Put(':key')
  @Roles('operator')
  @ApiOperation({ summary: 'Rename a package or change a rule/combination definition; a new definition recomputes at once, and packages built on it follow (queued).' })
  @ApiOkResponse({ type: PackageView })
  @ApiBadRequestResponse({ description: 'Invalid definition, unknown input package, or a cycle between combination packages.' })
  async update(@Param('key') key: string, @Body() body: UpdatePackageDto): Promise<PackageView> {
    return PackageView.from(unwrap(await this.packages.update(key, body)));
  }

  @Delete(':key')
  @HttpCode(204)
  @Roles('operator')
  @ApiOperation({ summary: 'Delete a package; refused with 409 naming the delivery policies or combination packages that use it.' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'In use: the message names each slot policy (and branch) or combination package.' })
  async delete(@Param('key') key: string): Promise<void> {
    unwrap(await this.packages.delete(key));
  }

  @Put(':key/members')
  @Roles('operator')
  @ApiOperation({
    summary: 'Replace an upload package\'s members with a streamed id list (text, one id a line, or CSV with a header naming the id column). All-or-nothing unless ?partial=true.',
    description:
      'Malformed lines are counted and listed (first 100, with line numbers). Well-formed ids that have no listener profile are counted as unknown and are not members. ' +
      'Without partial=true, any malformed line means nothing is stored and the answer is 400 with the same report. The body limit is MUSICBOSS_UPLOAD_LIMIT_BYTES (413 above it).',
  })
  @ApiConsumes('text/plain', 'text/csv')
  @ApiQuery({ name: 'partial', required: false, type: Boolean, description: 'Store the good lines even when some are malformed.' })
  @ApiBody({ schema: { type: 'string' }, examples: { text: { value: 'u1\nu2\nu3\n' }, csv: { value: 'user_id,score\nu1,0.9\nu2,0.7\n' } } })
  @ApiOkResponse({ type: MemberUploadView })
  @ApiBadRequestResponse({ description: 'Malformed lines without partial=true: nothing stored; the body is the report.' })
  @ApiPayloadTooLargeResponse({ description: 'The body is over MUSICBOSS_UPLOAD_LIMIT_BYTES.' })
  async uploadMembers(@Param('key') key: string, @Query('partial') partial: string | undefined, @Req() request: FastifyRequest): Promise<MemberUploadView> {
    if (partial !== undefined && partial !== 'true' && partial !== 'false') throw validationError([{ field: 'partial', problems: ['partial must be true or false'] }]);
    const body = streamedBody(request, ['text/plain', 'text/csv'], this.config.uploadLimitBytes);
    const report = unwrap(await this.packages.uploadMembers(key, body, { isPartial: partial === 'true', limitBytes: this.config.uploadLimitBytes }));
    if (!report.isStored) {
      throw validationErrorWithReport(report);
    }
    return memberView(report);
  }

  @Get(':key/versions')
  @Roles('viewer')
  @ApiOperation({ summary: 'Stored versions of a package (newest first, the last 10): version, size and when it was written.' })
  @ApiOkResponse({ type: [PackageVersionView] })
  async versions(@Param('key') key: string): Promise<PackageVersionView[]> {
    return unwrap(await this.packages.versions(key)).map(PackageVersionView.from);
  }

  @Post(':key/rollback')
  @HttpCode(200)
  @Roles('operator')
  @ApiOperation({ summary: 'Make a stored version current again (written as a new version). A rule or combination package recomputes again when its inputs next change.' })
  @ApiOkResponse({ type: PackageView })
  async rollback(@Param('key') key: string, @Body() body: RollbackPackageDto): Promise<PackageView> {
    return PackageView.from(unwrap(await this.packages.rollback(key, body.version)));
  }
}

function validationErrorWithReport(report: MemberUploadReport) {
  const error = validationError([{ field: 'body', problems: [`${report.rejected} malformed line(s); nothing was stored (send ?partial=true to store the good lines)`] }]);
  const response = error.getResponse() as Record<string, unknown>;
  Object.assign(response, { report: memberView(report) });
  return error;
}
