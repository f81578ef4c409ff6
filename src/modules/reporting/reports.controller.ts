import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ManagementRateLimitGuard } from '../../platform/http/rate-limit.guard';
import { validationError } from '../../platform/http/validation';
import { Roles } from '../../platform/http/roles';
import { toCsv } from '../../platform/http/csv';
import { FeedbackClock } from '../../platform/feedback-clock';
import { DeliveryReportQueryDto, LiveQueryDto, ReportWindowQueryDto } from './reports.dto';
import { GROUP_DIMENSIONS, type GroupDimension, REPORT_METRICS, type ReportMetric, ReportsService } from './reports.service';

const MAX_WINDOW_MS = 400 * 86_400_000;

function parseInstant(raw: string | undefined, field: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw validationError([{ field, problems: [`${field} must be an ISO date-time or epoch milliseconds`] }]);
  return ms;
}

function parseList<T extends string>(raw: string | undefined, allowed: readonly T[], field: string, fallback: readonly T[]): T[] {
  if (raw === undefined) return [...fallback];
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (bad.length) throw validationError([{ field, problems: [`unknown ${field}: ${bad.join(', ')}; allowed: ${allowed.join(', ')}`] }]);
  return [...new Set(items)] as T[];
}

@ApiTags('reports')
@ApiBearerAuth()
@UseGuards(ManagementRateLimitGuard)
@Controller('v1/reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly clock: FeedbackClock,
  ) {}

  private window(query: ReportWindowQueryDto): { fromMs: number; toMs: number } {
    const toMs = parseInstant(query.to, 'to') ?? this.clock.now() + 60_000;
    const fromMs = parseInstant(query.from, 'from') ?? toMs - 86_400_000;
    if (fromMs >= toMs) throw validationError([{ field: 'from', problems: ['from must be before to'] }]);
    if (toMs - fromMs > MAX_WINDOW_MS) throw validationError([{ field: 'from', problems: ['the window may span at most 400 days'] }]);
    return { fromMs, toMs };
  }

  @Get('delivery')
  @Roles('viewer')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary:
      'Requests, eligible, served, impressions, clicks, CTR, conversions, CVR and skips over [from, to), grouped by any of campaign, creative, slot, branch, arm, platform, hour, day, minute. ' +
      'Live: counters lag reality by about a second. format=csv downloads the rows.',
  })
  async delivery(@Query() query: DeliveryReportQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const { fromMs, toMs } = this.window(query);
    const groupBy = parseList<GroupDimension>(query.groupBy, GROUP_DIMENSIONS, 'groupBy', []);
    const metrics = parseList<ReportMetric>(query.metrics, REPORT_METRICS, 'metrics', REPORT_METRICS);
    const report = await this.reports.delivery(fromMs, toMs, groupBy, metrics);
    if (query.format !== 'csv') return report;
    const columns = report.rows.length > 0 ? Object.keys(report.rows[0]) : [...groupBy, ...metrics];
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="delivery-report.csv"');
    return toCsv(columns, report.rows.map((r) => columns.map((c) => r[c] ?? null)));
  }

  @Get('funnel')
  @Roles('viewer')
  @ApiOperation({ summary: 'Per campaign over [from, to): audience size → eligible requests → served → impressions → clicks.' })
  funnel(@Query() query: ReportWindowQueryDto) {
    const { fromMs, toMs } = this.window(query);
    return this.reports.funnel(fromMs, toMs);
  }

  @Get('pacing')
  @Roles('viewer')
  @ApiOperation({ summary: 'Each campaign with a goal: done today and in total against the goal, the even-pacing expectation by now, and a status (ahead, on_track, behind, goal_reached).' })
  pacing() {
    return this.reports.pacing();
  }

  @Get('live')
  @Roles('viewer')
  @ApiOperation({ summary: 'Per-minute impressions, clicks and CTR over the last minutes (default 180), one series per campaign or per branch: what /console/live charts.' })
  live(@Query() query: LiveQueryDto) {
    const minutes = query.minutes === undefined ? 180 : Number(query.minutes);
    if (minutes < 1 || minutes > 1440) throw validationError([{ field: 'minutes', problems: ['minutes must be between 1 and 1440'] }]);
    return this.reports.live(minutes, query.by ?? 'campaign');
  }
}
