import { randomInt, randomUUID } from 'node:crypto';
import { BadRequestException, Inject, Injectable, NotFoundException, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { CounterStore } from '../../engine/caps/counter-store';
import { explorationCounterKey } from '../../engine/caps/frequency-caps';
import { goalCounterKeys } from '../../engine/pacing/pacing';
import { decide, type DecideOptions, type Decided } from '../../engine/policy/decide';
import { localClock } from '../../engine/policy/local-time';
import type { CompiledCampaign } from '../../engine/policy/snapshot';
import { signTrackingTokens } from '../../engine/tracking/tracking-token';
import { createRng, type Rng } from '../../engine/util/rng';
import type { AppConfig } from '../../config/config';
import { COUNTER_STORE } from '../../platform/counters/counters.provider';
import { CounterTally } from '../../platform/metrics/counter-tally';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { APP_CONFIG, TRACKING_SECRET } from '../../platform/tokens';
import { AudienceMembershipService } from '../audiences';
import { ListenerIndexService } from '../audiences';
import { LiveStatsRecorder } from '../reporting';
import { SnapshotService } from '../snapshot';
import { BudgetedScorer, NO_CONTEXT, type ScoredAnswer } from './budgeted-scorer';
import { DecisionLog, type DecisionLogRow } from './decision-log';
import { decisionLogRow, loggedContext } from './decision-log-row';
import type { DecisionInput } from './decision-request';
import { decidedView, noBranchView, servedAdView, trackingUrls, type DecisionView, type ServedAdView } from './decision-view';
import { BanditAllocations, ScorerRegistry } from './scorer-registry';

const TRACKING_TTL_MS = 7 * 24 * 3600 * 1000;
const EXPLORATION_SHARE = 0.1;
const STATS_REFRESH_MS = 2000;
const FUNNEL_STAGES = ['candidates', 'eligible', 'in_audience', 'under_caps', 'chosen'] as const;
const OUTCOMES = ['filled', 'no_fill', 'no_branch'] as const;
const OUTCOME_INDEX = Object.fromEntries(OUTCOMES.map((outcome, i) => [outcome, i])) as Record<(typeof OUTCOMES)[number], number>;

/**
 * The hot path of POST /v1/decisions around the engine's decide(), which makes the decision (with
 * models scored within their budget by a BudgetedScorer, and ONE counter reserve: one Lua call in
 * production). This service supplies what decide() reads (the snapshot, the listener's package
 * membership, bandit allocations, exploration budgets and goal progress) and turns its result into
 * metrics, signed tracking links, decision-log rows, live stats and the response. No database
 * query; the decision log and stats leave as batched jobs.
 */
@Injectable()
export class DecisionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly rng: Rng = createRng(randomInt(0, 2 ** 31));
  private explorationRemaining: ReadonlyMap<string, number> = new Map();
  private goalProgressToday: ReadonlyMap<string, number> = new Map();
  /** What every decision passes to decide(): rebuilt when one of its parts changes, not per decision. */
  private options: DecideOptions = {};
  private readonly scorer: BudgetedScorer;
  private statsTimer: NodeJS.Timeout | null = null;
  private unsubscribeSwap: (() => void) | null = null;
  private readonly funnel: CounterTally;
  private readonly fallbacks: Counter<'slot' | 'reason'>;
  private readonly outcomes: CounterTally;
  /** Injectable clock, for tests of pacing through HTTP. */
  now: () => number = Date.now;

  constructor(
    private readonly snapshots: SnapshotService,
    private readonly membership: AudienceMembershipService,
    private readonly listeners: ListenerIndexService,
    scorers: ScorerRegistry,
    private readonly bandits: BanditAllocations,
    private readonly decisionLog: DecisionLog,
    private readonly liveStats: LiveStatsRecorder,
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    @Inject(TRACKING_SECRET) private readonly trackingSecret: string,
    @Inject(APP_CONFIG) config: AppConfig,
    metrics: MetricsService,
  ) {
    this.scorer = new BudgetedScorer(scorers, listeners, config.modelBudgetMs);
    this.funnel = new CounterTally({ name: 'musicboss_decision_funnel_total', help: 'Decision funnel: candidates → eligible → in_audience → under_caps → chosen', rowLabels: ['slot', 'branch'], valueLabel: 'stage', values: FUNNEL_STAGES, registry: metrics.registry });
    this.fallbacks = new Counter({ name: 'musicboss_decision_fallbacks_total', help: 'Model/bandit branches that fell back to priority', labelNames: ['slot', 'reason'], registers: [metrics.registry] });
    this.outcomes = new CounterTally({ name: 'musicboss_decisions_total', help: 'Decisions by outcome', rowLabels: ['slot'], valueLabel: 'outcome', values: OUTCOMES, registry: metrics.registry });
  }

  onApplicationBootstrap(): void {
    this.statsTimer = setInterval(() => void this.refreshCampaignStats().catch(() => undefined), STATS_REFRESH_MS);
    this.statsTimer.unref();
    void this.refreshCampaignStats().catch(() => undefined);
    // A campaign that just went live explores from its first decisions, not from the next tick.
    this.unsubscribeSwap = this.snapshots.onSwap(() => void this.refreshCampaignStats().catch(() => undefined));
  }

  onModuleDestroy(): void {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.unsubscribeSwap?.();
  }

  /**
   * Exploration budgets left and today's goal progress change slowly: refreshed every 2 s off the
   * request path, so decisions keep their single counter round trip.
   */
  async refreshCampaignStats(): Promise<void> {
    const { snapshot } = this.snapshots.current();
    const nowMs = this.now();
    const explorable: CompiledCampaign[] = [];
    const goalKeys: { id: string; key: string }[] = [];
    for (const campaign of snapshot.campaignsById.values()) {
      if (campaign.status !== 'active') continue;
      if (campaign.explorationBudget > 0) explorable.push(campaign);
      if (campaign.goal && campaign.goal.metric !== 'impressions') {
        goalKeys.push({ id: campaign.id, key: goalCounterKeys(campaign, campaign.goal.metric, nowMs, localClock(nowMs, campaign.schedule.timeZone)).dailyKey });
      }
    }
    const values = await this.counters.get([...explorable.map((c) => explorationCounterKey(c.id)), ...goalKeys.map((g) => g.key)]);
    const remaining = new Map<string, number>();
    explorable.forEach((c, i) => remaining.set(c.id, Math.max(0, c.explorationBudget - (values[i] ?? 0))));
    const progress = new Map<string, number>();
    goalKeys.forEach((g, i) => progress.set(g.id, values[explorable.length + i] ?? 0));
    this.explorationRemaining = remaining;
    this.goalProgressToday = progress;
    this.options = this.optionsWith(this.bandits.current());
  }

  async decide(input: DecisionInput, baseUrl: string): Promise<DecisionView> {
    const state = this.snapshots.current();
    const nowMs = this.now();
    const members = this.membership.current();
    const result = await decide(state.snapshot, input, (pkg) => members.isMember(pkg, input.userId), nowMs, this.rng, this.counters, this.scorer, this.decideOptions());
    switch (result.kind) {
      case 'decided':
        return this.serve(result, input, state.configVersion, baseUrl);
      case 'no_branch':
        this.outcomes.row(result.slot.key)[OUTCOME_INDEX.no_branch]++;
        this.countFunnel(result.slot.key, 'none', result.funnel.candidates, result.funnel.eligible, 0, 0, 0);
        this.liveStats.recordDecision({ nowMs, slotId: result.slot.id, branch: null, arm: null, platform: input.platform, servedCampaignIds: [] });
        return noBranchView(result, state.configVersion, input.explain);
      case 'unknown_slot':
        throw new NotFoundException(`slot "${input.slotId}" does not exist`);
      case 'platform_not_served':
        throw new BadRequestException({
          statusCode: 400,
          error: 'Bad Request',
          message: 'Validation failed',
          errors: [{ field: 'platform', problems: [`slot ${result.slot.key} does not serve platform ${input.platform} (it serves ${result.slot.platforms.join(', ')})`] }],
        });
    }
  }

  /** Metrics, a signed link and a log row per served ad, live stats and the response of a decision that got to the counters. */
  private serve(decided: Decided<ScoredAnswer>, input: DecisionInput, configVersion: number, baseUrl: string): DecisionView {
    const { selection, ranking, decision } = decided;
    const { slot, branch, arm, nowMs } = selection;
    if (ranking.fallback) this.fallbacks.inc({ slot: slot.key, reason: ranking.fallback.reason.slice(0, 60) });
    this.outcomes.row(slot.key)[OUTCOME_INDEX[decision.kind]]++;
    this.countFunnel(slot.key, branch.name, decision.funnel.candidates, decision.funnel.eligible, decision.funnel.inAudience, decision.funnel.underCaps, decision.funnel.chosen);

    const ads: ServedAdView[] = [];
    if (decision.ads.length > 0) {
      const logRows: DecisionLogRow[] = [];
      const context = input.context ?? NO_CONTEXT;
      const logged = loggedContext(context, input.appVersion);
      // Every served ad is logged with the listener's features, priority and designated traffic too:
      // the learners train on it. A model branch logs what its model was given.
      const features = { user: decided.model !== null ? decided.model.input.profile : this.listeners.profile(input.userId), context };
      for (const ad of decision.ads) {
        const decisionId = randomUUID();
        const probability = ad.propensity * ad.creativeProbability;
        const tokens = signTrackingTokens(
          { d: decisionId, c: ad.campaign.id, cr: ad.creative.id, s: slot.id, b: branch.name, a: arm?.modelId ?? null, p: probability, u: input.userId, pf: input.platform, i: nowMs, e: nowMs + TRACKING_TTL_MS },
          this.trackingSecret,
        );
        logRows.push(decisionLogRow(decided, ad, decisionId, probability, configVersion, logged, features));
        ads.push(servedAdView(decided, ad, decisionId, probability, trackingUrls(baseUrl, tokens)));
      }
      this.decisionLog.append(logRows);
    }
    this.liveStats.recordDecision({
      nowMs,
      slotId: slot.id,
      branch: branch.name,
      arm: arm?.modelId ?? null,
      platform: input.platform,
      servedCampaignIds: decision.ads.map((ad) => ({ campaignId: ad.campaign.id, creativeId: ad.creative.id })),
      eligibleCampaignIds: selection.candidateIds,
    });
    return decidedView(decided, ads, configVersion, input.explain, decided.model?.explain ?? null);
  }

  /** The options of every decision. The bandit module replaces its allocations as a whole, so a new map means new options. */
  private decideOptions(): DecideOptions {
    const armWeights = this.bandits.current();
    if (this.options.armWeights !== armWeights) this.options = this.optionsWith(armWeights);
    return this.options;
  }

  private optionsWith(armWeights: DecideOptions['armWeights']): DecideOptions {
    return { armWeights, explorationShare: EXPLORATION_SHARE, explorationRemaining: this.explorationRemaining, goalProgressToday: this.goalProgressToday };
  }

  private countFunnel(slot: string, branch: string, candidates: number, eligible: number, inAudience: number, underCaps: number, chosen: number): void {
    const sums = this.funnel.row(slot, branch); // indexed like FUNNEL_STAGES
    sums[0] += candidates;
    sums[1] += eligible;
    sums[2] += inAudience;
    sums[3] += underCaps;
    sums[4] += chosen;
  }
}
