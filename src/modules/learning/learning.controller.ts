import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DatabaseService } from '../../platform/database/database.service';
import { validationError } from '../../platform/http/validation';
import { DATABASE } from '../../platform/tokens';
import { Roles } from '../../platform/http/roles';
import { BanditAllocations } from '../delivery';
import { SnapshotService } from '../snapshot';
import { banditBranches } from './bandit.service';
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
    @Inject(DATABASE) private readonly database: DatabaseService,
    private readonly snapshots: SnapshotService,
    private readonly allocations: BanditAllocations,
    private readonly ips: IpsEvaluationService,
  ) {}

  @Get('bandits')
  @Roles('viewer')
  @ApiOperation({ summary: 'Every bandit branch: its arms with floors, current traffic weights, win probabilities, evidence and when it was last reweighted' })
  async bandits() {
    const branches = banditBranches(this.snapshots.current().snapshot);
    const keys = branches.map((b) => b.branchKey);
    const current: { branch_key: string; computed_at: Date; weights: unknown; win_probabilities: unknown; warming_up: boolean }[] = keys.length
      ? await this.database.dataSource.query(
          `SELECT c.branch_key, c.computed_at, c.weights, a.win_probabilities, a.warming_up FROM bandit_current c JOIN bandit_allocations a ON a.id = c.allocation_id WHERE c.branch_key = ANY($1::text[])`,
          [keys],
        )
      : [];
    const stats: { branch_key: string; arm: string; successes: number; trials: number }[] = keys.length
      ? await this.database.dataSource.query('SELECT branch_key, arm, successes, trials FROM bandit_arm_stats WHERE branch_key = ANY($1::text[])', [keys])
      : [];
    const byKey = new Map(current.map((c) => [c.branch_key, c]));
    const served = this.allocations.current();
    return {
      bandits: branches.map((b) => {
        const c = byKey.get(b.branchKey);
        return {
          branchKey: b.branchKey,
          slotId: b.slotId,
          branch: b.branch,
          arms: b.arms,
          weights: c?.weights ?? b.arms.map((a) => ({ modelId: a.modelId, weight: 1 / b.arms.length })),
          winProbabilities: c?.win_probabilities ?? null,
          warmingUp: c ? c.warming_up : true,
          reweightedAt: c ? new Date(c.computed_at).toISOString() : null,
          weightsOnThisNode: served.get(b.branchKey) ?? null,
          evidence: stats.filter((s) => s.branch_key === b.branchKey).map((s) => ({ arm: s.arm, successes: Number(s.successes), trials: Number(s.trials) })),
        };
      }),
    };
  }

  @Get('bandits/history')
  @Roles('viewer')
  @ApiOperation({ summary: 'Allocation history of one bandit branch (weights over time, oldest first), for the live chart' })
  async history(@Query() query: BanditHistoryQueryDto) {
    const { fromMs, toMs } = window(query.from, query.to, 86_400_000);
    const rows: { computed_at: Date; weights: unknown; win_probabilities: unknown; stats: unknown; warming_up: boolean }[] = await this.database.dataSource.query(
      `SELECT computed_at, weights, win_probabilities, stats, warming_up FROM bandit_allocations
        WHERE branch_key = $1 AND computed_at >= $2 AND computed_at < $3 ORDER BY computed_at LIMIT 5000`,
      [query.branch, new Date(fromMs), new Date(toMs)],
    );
    return {
      branchKey: query.branch,
      points: rows.map((r) => ({ at: new Date(r.computed_at).toISOString(), weights: r.weights, winProbabilities: r.win_probabilities, evidence: r.stats, warmingUp: r.warming_up })),
    };
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
