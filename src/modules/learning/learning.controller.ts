import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { validationError } from '../../platform/http/validation';
import { Roles } from '../../platform/http/roles';
import { BanditOverviewService } from './bandit-overview.service';
import { IpsEvaluationService, parseTargetPolicy } from './ips-evaluation.service';
import { BanditHistoryQueryDto, IpsRequestDto } from './learning.dto';

function parseInstant(raw: string | undefined, field: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw validationError([{ field, problems: [`${field} must be an ISO date-time or epoch milliseconds`] }]);
  return ms;
}

function window(from: string | undefined, to: string | undefined, defaultSpanMs: number): { fromMs: number; toMs: number } {
  const toMs = parseInstant(to, 'to') ?? Date.now() + 60_000;
  const fromMs = parseInstant(from, 'from') ?? toMs - defaultSpanMs;
  if (fromMs >= toMs) throw validationError([{ field: 'from', problems: ['from must be before to'] }]);
  return { fromMs, toMs };
}

@ApiTags('learning')
@ApiBearerAuth()
@Controller('v1')
export class LearningController {
  constructor(
    private readonly overview: BanditOverviewService,
    private readonly ips: IpsEvaluationService,
  ) {}

  @Get('bandits')
  @Roles('viewer')
  @ApiOperation({ summary: 'Every bandit branch: its arms with floors, current traffic weights, win probabilities, evidence and when it was last reweighted' })
  async bandits() {
    return this.overview.overview();
  }

  @Get('bandits/history')
  @Roles('viewer')
  @ApiOperation({ summary: 'Allocation history of one bandit branch (weights over time, oldest first), for the live chart' })
  async history(@Query() query: BanditHistoryQueryDto) {
    const { fromMs, toMs } = window(query.from, query.to, 86_400_000);
    return this.overview.history(query.branch, fromMs, toMs);
  }

  @Post('evaluation/ips')
  @Roles('viewer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Off-policy estimate (IPS and SNIPS) of the CTR another arm allocation or model would have had, from logged propensities and click labels' })
  async evaluate(@Body() body: IpsRequestDto) {
    const target = parseTargetPolicy(body.targetPolicy);
    const { fromMs, toMs } = window(body.from, body.to, 7 * 86_400_000);
    return this.ips.evaluate({ fromMs, toMs, slot: body.slot, target, weightCap: body.weightCap, limit: body.limit });
  }
}
