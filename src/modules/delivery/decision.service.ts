import { randomInt, randomUUID } from 'node:crypto';
import { BadRequestException, Inject, Injectable, NotFoundException, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { CounterStore } from '../../engine/caps/counter-store';
import { explorationCounterKey } from '../../engine/caps/frequency-caps';
import { localClock } from '../../engine/policy/local-time';
import { goalCounterKeys } from '../../engine/pacing/pacing';
import { finalizeDecision } from '../../engine/policy/finalize-decision';
import { buildReservePlan, rankCandidates, requiredModel, type CandidateScores } from '../../engine/policy/rank-candidates';
import { selectBranch, type BranchSelected } from '../../engine/policy/select-branch';
import type { CompiledCampaign, Platform } from '../../engine/policy/snapshot';
import { signTrackingToken } from '../../engine/tracking/tracking-token';
import { createRng, type Rng } from '../../engine/util/rng';
import type { AppConfig } from '../../config/config';
import { COUNTER_STORE } from '../../platform/counters/counters.provider';
import { CounterTally } from '../../platform/metrics/counter-tally';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { APP_CONFIG, TRACKING_SECRET } from '../../platform/tokens';
import { AudienceMembershipService } from '../audiences';
import { ListenerIndexService } from '../audiences';
import { LiveStatsRecorder } from '../reporting';
import { DecisionLog, type DecisionLogRow } from './decision-log';
import { BanditAllocations, ExplainedScores, ScorerRegistry, type ScoringInput } from './scorer-registry';
import { SnapshotService } from '../snapshot';

export interface DecisionInput {
  slotId: string;
  userId: string;
  platform: Platform;
  appVersion?: string;
  context?: Record<string, string | number | boolean>;
  count?: number;
  explain?: boolean;
}

export interface ServedAdView {
  decisionId: string;
  campaignId: string;
  campaignName: string;
  creative: { id: string; type: string; title: string; assetUrl: string | null; landingUrl: string };
  branch: string;
  method: string;
  arm?: string;
  probability: number;
  position: number;
  explored: boolean;
  trackingUrls: { impression: string; click: string; conversion: string; skip: string };
}

export interface DecisionView {
  slotId: string;
  slotKey: string;
  snapshotVersion: number;
  ads: ServedAdView[];
  fallback: { to: 'priority'; reason: string } | null;
  explain?: {
    branch: string | null;
    method: string | null;
    arm: { modelId: string; probability: number } | null;
    fallback: { to: 'priority'; reason: string } | null;
    exploration: { campaignId: string; probability: number } | null;
    dropped: { campaignId: string; reason: string }[];
    funnel: { candidates: number; eligible: number; inAudience: number; underCaps: number; chosen: number };
    /** What the scoring model reported about this decision (e.g. the CF cold-start scorer and why); set by models returning ExplainedScores. */
    model?: Readonly<Record<string, unknown>>;
  };
}

const TRACKING_TTL_MS = 7 * 24 * 3600 * 1000;
const EXPLORATION_SHARE = 0.1;
const STATS_REFRESH_MS = 2000;
const TRACKING_TYPES = ['impression', 'click', 'conversion', 'skip'] as const;
const NO_SCORES: CandidateScores = new Map();
const FUNNEL_STAGES = ['candidates', 'eligible', 'in_audience', 'under_caps', 'chosen'] as const;
const OUTCOMES = ['filled', 'no_fill', 'no_branch'] as const;
const OUTCOME_INDEX = Object.fromEntries(OUTCOMES.map((outcome, i) => [outcome, i])) as Record<(typeof OUTCOMES)[number], number>;

/**
 * The hot path of POST /v1/decisions: snapshot → selectBranch → (model within its time budget) →
 * rankCandidates → ONE counter reserve (one Lua call in production) → finalize → signed links.
 * No database query; the decision log and stats leave as batched jobs.
 */
@Injectable()
export class DecisionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly rng: Rng = createRng(randomInt(0, 2 ** 31));
  private explorationRemaining: ReadonlyMap<string, number> = new Map();
  private goalProgressToday: ReadonlyMap<string, number> = new Map();
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
    private readonly scorers: ScorerRegistry,
    private readonly bandits: BanditAllocations,
    private readonly decisionLog: DecisionLog,
    private readonly liveStats: LiveStatsRecorder,
    @Inject(COUNTER_STORE) private readonly counters: CounterStore,
    @Inject(TRACKING_SECRET) private readonly trackingSecret: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
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
  }

  async decide(input: DecisionInput, baseUrl: string): Promise<DecisionView> {
    const state = this.snapshots.current();
    const nowMs = this.now();
    const members = this.membership.current();
    const selection = selectBranch(
      state.snapshot,
      { slotId: input.slotId, userId: input.userId, platform: input.platform, count: input.count },
      (pkg) => members.isMember(pkg, input.userId),
      nowMs,
      this.rng,
      { armWeights: this.bandits.current() },
    );
    if (selection.kind === 'unknown_slot') throw new NotFoundException(`slot "${input.slotId}" does not exist`);
    if (selection.kind === 'platform_not_served') {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'Validation failed',
        errors: [{ field: 'platform', problems: [`slot ${selection.slot.key} does not serve platform ${input.platform} (it serves ${selection.slot.platforms.join(', ')})`] }],
      });
    }
    if (selection.kind === 'no_branch') {
      this.outcomes.row(selection.slot.key)[OUTCOME_INDEX.no_branch]++;
      this.countFunnel(selection.slot.key, 'none', selection.funnel.candidates, selection.funnel.eligible, 0, 0, 0);
      this.liveStats.recordDecision({ nowMs, slotId: selection.slot.id, branch: null, arm: null, platform: input.platform, servedCampaignIds: [] });
      return {
        slotId: selection.slot.id,
        slotKey: selection.slot.key,
        snapshotVersion: state.configVersion,
        ads: [],
        fallback: null,
        ...(input.explain
          ? { explain: { branch: null, method: null, arm: null, fallback: null, exploration: null, dropped: [...selection.dropped], funnel: { candidates: selection.funnel.candidates, eligible: selection.funnel.eligible, inAudience: selection.funnel.inAudience, underCaps: 0, chosen: 0 } } }
          : {}),
      };
    }

    const context = input.context ?? {};
    const modelId = requiredModel(selection);
    let scores: CandidateScores = NO_SCORES;
    let modelVersion: string | null = null;
    let modelExplain: Readonly<Record<string, unknown>> | null = null;
    // Built for every decision, not only model-scored ones: the log's features are what the learners
    // train on, and priority or designated traffic is evidence about listener × campaign too.
    const scoringInput = this.scoringInput(selection, context, nowMs);
    if (modelId !== null) {
      const scored = await this.score(modelId, scoringInput, selection.candidates);
      scores = scored.scores;
      // Hook for model-side explanations (issue 9: CF cold-start scorer).
      if (scores instanceof ExplainedScores) modelExplain = scores.explain;
      modelVersion = scored.version;
    }
    const ranking = rankCandidates(selection, scores, this.rng, {
      explorationShare: EXPLORATION_SHARE,
      explorationRemaining: this.explorationRemaining,
      goalProgressToday: this.goalProgressToday,
    });
    const outcome = await this.counters.reserve(buildReservePlan(ranking));
    const decision = finalizeDecision(ranking, outcome, this.rng);

    const slot = selection.slot;
    const branch = selection.branch;
    const arm = selection.arm;
    if (ranking.fallback) this.fallbacks.inc({ slot: slot.key, reason: ranking.fallback.reason.slice(0, 60) });
    this.outcomes.row(slot.key)[OUTCOME_INDEX[decision.kind]]++;
    this.countFunnel(slot.key, branch.name, decision.funnel.candidates, decision.funnel.eligible, decision.funnel.inAudience, decision.funnel.underCaps, decision.funnel.chosen);

    const logRows: DecisionLogRow[] = [];
    // Object.assign, not { ...context, appVersion }: on Node 20 a spread followed by a property the
    // source lacks takes V8's slow path and makes a fresh hidden class (see finalizeDecision).
    const loggedContext = input.appVersion ? Object.assign({}, context, { appVersion: input.appVersion }) : context;
    // One object for every ad of the decision: the log encodes a decision's shared features once.
    const features = { user: scoringInput.profile, context };
    const ads = decision.ads.map((ad): ServedAdView => {
      const decisionId = randomUUID();
      const probability = ad.propensity * ad.creativeProbability;
      const token = signTrackingToken(
        { d: decisionId, c: ad.campaign.id, cr: ad.creative.id, s: slot.id, b: branch.name, a: arm?.modelId ?? null, p: probability, u: input.userId, pf: input.platform, i: nowMs, e: nowMs + TRACKING_TTL_MS },
        this.trackingSecret,
      );
      logRows.push({
        decisionId,
        createdAtMs: nowMs,
        userId: input.userId,
        slotId: slot.id,
        platform: input.platform,
        campaignId: ad.campaign.id,
        creativeId: ad.creative.id,
        branch: branch.name,
        method: branch.method,
        arm: arm?.modelId ?? null,
        armProbability: arm?.probability ?? null,
        fallback: ranking.fallback?.reason ?? null,
        propensity: probability,
        score: ad.score,
        position: ad.slotPosition,
        explored: ad.isExplored,
        configVersion: state.configVersion,
        modelVersion,
        context: loggedContext,
        features,
      });
      return {
        decisionId,
        campaignId: ad.campaign.id,
        campaignName: ad.campaign.name,
        creative: { id: ad.creative.id, type: ad.creative.type, title: ad.creative.title, assetUrl: ad.creative.assetUrl, landingUrl: ad.creative.landingUrl },
        branch: branch.name,
        method: branch.method,
        ...(arm ? { arm: arm.modelId } : {}),
        probability,
        position: ad.slotPosition,
        explored: ad.isExplored,
        trackingUrls: trackingUrls(baseUrl, token),
      };
    });
    this.decisionLog.append(logRows);
    this.liveStats.recordDecision({
      nowMs,
      slotId: slot.id,
      branch: branch.name,
      arm: arm?.modelId ?? null,
      platform: input.platform,
      servedCampaignIds: decision.ads.map((ad) => ({ campaignId: ad.campaign.id, creativeId: ad.creative.id })),
      eligibleCampaignIds: selection.candidateIds,
    });

    return {
      slotId: slot.id,
      slotKey: slot.key,
      snapshotVersion: state.configVersion,
      ads,
      fallback: ranking.fallback,
      ...(input.explain
        ? {
            explain: {
              branch: branch.name,
              method: branch.method,
              arm: arm ? { modelId: arm.modelId, probability: arm.probability } : null,
              fallback: ranking.fallback,
              exploration: ranking.exploration,
              dropped: decision.explain().map((d) => ({ campaignId: d.campaignId, reason: d.reason })),
              funnel: { ...decision.funnel },
              ...(modelExplain ? { model: modelExplain } : {}),
            },
          }
        : {}),
    };
  }

  private scoringInput(selection: BranchSelected, context: Record<string, string | number | boolean>, nowMs: number): ScoringInput {
    return { userId: selection.userId, platform: selection.platform, slot: selection.slot, context, profile: this.listeners.profile(selection.userId), nowMs };
  }

  /** Scores within the configured budget; a missing, failing or slow model makes the branch fall back to priority. */
  private async score(modelId: string, input: ScoringInput, candidates: readonly CompiledCampaign[]): Promise<{ scores: CandidateScores; version: string | null }> {
    const model = this.scorers.get(modelId);
    if (!model) return { scores: { kind: 'unavailable', reason: `model ${modelId} is not available yet` }, version: null };
    const budgetMs = this.config.modelBudgetMs;
    try {
      const started = performance.now();
      const result = model.score(input, candidates);
      const scores = result instanceof Map ? result : await withBudget(result, budgetMs);
      if (scores === null || performance.now() - started > budgetMs) {
        return { scores: { kind: 'unavailable', reason: `model ${modelId} exceeded its ${budgetMs} ms budget` }, version: model.version };
      }
      return { scores, version: model.version };
    } catch (error) {
      return { scores: { kind: 'unavailable', reason: `model ${modelId} failed: ${error instanceof Error ? error.message : String(error)}` }, version: model.version };
    }
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

function trackingUrls(baseUrl: string, token: string): ServedAdView['trackingUrls'] {
  const urls = {} as ServedAdView['trackingUrls'];
  for (const type of TRACKING_TYPES) urls[type] = `${baseUrl}/v1/t/${type}?t=${token}`;
  return urls;
}

function withBudget<T>(promise: Promise<T>, budgetMs: number): Promise<T | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(null), budgetMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
