import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { JobsService } from '../../platform/jobs/jobs.service';
import { Roles } from '../../platform/http/roles';
import { versionView } from '../models';
import { ModelImportService } from './model-import.service';
import type { ReportData } from './modeling-pipeline';
import { ModelingRunsRepository } from './modeling-runs.repository';
import { ImportModelDto, ListModelingRunsQueryDto, ReportQueryDto, StartModelingRunDto } from './modeling.dto';
import { ModelingService } from './modeling.service';
import { renderReportHtml } from './report-html';

@ApiTags('modeling')
@ApiBearerAuth()
@Controller()
export class ModelingController {
  constructor(
    private readonly modeling: ModelingService,
    private readonly runs: ModelingRunsRepository,
    private readonly imports: ModelImportService,
    private readonly jobs: JobsService,
  ) {}

  @Post('v1/campaigns/:id/model')
  @Roles('operator')
  @HttpCode(202)
  @ApiOperation({ summary: "Starts a modeling run for the campaign now (assemble → transform → criteria → model → export → register → report) on the 'modeling' queue" })
  async start(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: StartModelingRunDto) {
    if (!(await this.modeling.campaignExists(id))) throw new NotFoundException(`campaign ${id} does not exist`);
    const run = await this.modeling.startRun(id, 'manual', { ...(body.params ? { params: body.params } : {}), ...(body.variant ? { variant: body.variant } : {}), ...(body.promotion ? { promotion: body.promotion } : {}) });
    return run;
  }

  @Get('v1/modeling/runs')
  @Roles('viewer')
  @ApiOperation({ summary: "Modeling runs, newest first, with their status, current stage, finished stages and the 'modeling' queue counts" })
  async list(@Query() query: ListModelingRunsQueryDto) {
    const [runs, counts] = await Promise.all([
      this.runs.list({ campaignId: query.campaignId, modelId: query.modelId, status: query.status, limit: query.limit ?? 50 }),
      this.jobs.counts(),
    ]);
    return { queue: counts.modeling, runs };
  }

  @Get('v1/modeling/runs/:runId')
  @Roles('viewer')
  @ApiOperation({ summary: 'One modeling run: status, stages done, error, registered version' })
  async get(@Param('runId', new ParseUUIDPipe()) runId: string) {
    const run = await this.runs.get(runId);
    if (!run) throw new NotFoundException(`modeling run ${runId} does not exist`);
    return run;
  }

  @Post('v1/modeling/runs/:runId/resume')
  @Roles('operator')
  @HttpCode(202)
  @ApiOperation({ summary: 'Re-enqueues a failed run; stages that already stored their output are not redone' })
  async resume(@Param('runId', new ParseUUIDPipe()) runId: string) {
    return this.modeling.resume(runId);
  }

  @Post('v1/models/import')
  @Roles('operator')
  @ApiOperation({ summary: 'Imports an external model: an ONNX file, or an XGBoost JSON model converted to ONNX; active at once when the model has no active version (or activate: true)' })
  async import(@Body() body: ImportModelDto) {
    const { version, activated } = await this.imports.import(body);
    return { ...versionView(version), activated };
  }

  @Get('v1/models/:id/report')
  @Roles('viewer')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'The variable exploration report (HTML with inline SVG charts) of the run that produced a model version' })
  async report(@Param('id') id: string, @Query() query: ReportQueryDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const runId = await this.runs.reportRun(id, query.version ?? null);
    if (!runId) throw new NotFoundException(`model ${id} has no modeling report${query.version ? ` for version ${query.version}` : ''} (imported models have none)`);
    const stored = await this.runs.output<ReportData>(runId, 'report');
    const html = renderReportHtml(stored!.output);
    // Set here, not with @Header: an error response must stay JSON.
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    return html;
  }
}
