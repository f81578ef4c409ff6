import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type ArmStats, computeAllocation, shouldReweight } from '../../engine/bandit/thompson';
import { branchKey } from '../../engine/policy/select-branch';
import type { DecisionSnapshot } from '../../engine/policy/snapshot';
import { createRng, type Rng } from '../../engine/util/rng';
import type { Transactions } from '../../platform/database/sql';
import { DATABASE, PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { SnapshotService } from '../snapshot';
import { type LabelledExample, LabelledExampleBus } from '../labels';
import { EventsRepository } from '../tracking';
import { type ArmEvidence, BanditRepository } from './bandit.repository';
import { LearningSettings } from './learning-settings';

export interface BanditBranchRef {
  branchKey: string;
  slotId: string;
  branch: string;
  arms: { modelId: string; floor: number }[];
}

/** Every bandit branch with arms in the snapshot. */
export function banditBranches(snapshot: DecisionSnapshot): BanditBranchRef[] {
  const out: BanditBranchRef[] = [];
  for (const policy of snapshot.policiesBySlotId.values()) {
    for (const branch of policy.branches) {
      if (branch.method !== 'bandit' || !branch.arms || branch.arms.length === 0) continue;
      out.push({ branchKey: branchKey(policy.slotId, branch), slotId: policy.slotId, branch: branch.name, arms: branch.arms.map((a) => ({ modelId: a.modelId, floor: a.floor })) });
    }
  }
  return out;
}

type Evidence = Map<string, Map<string, { successes: number; trials: number }>>;

/** A bandit decision's reward: its click label, or whether it converted when the campaign's goal is conversions. */
export function banditReward(label: 0 | 1, goalMetric: string | null | undefined, converted: boolean): 0 | 1 {
  if (goalMetric === 'conversions') return converted ? 1 : 0;
  return label;
}

/**
 * Worker side of the bandits: counts rewards per (branch, arm) from labelled examples (a click, or a
 * conversion for campaigns whose goal is conversions), flushes them additively to bandit_arm_stats,
 * and on each branch's reweight cadence discounts the evidence, recomputes the Thompson allocation
 * with the branch's floors and warm-up, and stores it (bandit_allocations history + bandit_current,
 * which API nodes poll). Reweights run under a transaction advisory lock, so several workers agree.
 */
@Injectable()
export class BanditService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Bandits');
  private pending: Evidence = new Map();
  private readonly rng: Rng = createRng(0xba4d17);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private unregister: (() => void) | null = null;

  constructor(
    @Inject(DATABASE) private readonly database: Transactions,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
    private readonly bandits: BanditRepository,
    private readonly events: EventsRepository,
    private readonly bus: LabelledExampleBus,
    private readonly snapshots: SnapshotService,
    private readonly settings: LearningSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.role === 'api') return;
    this.stopped = false;
    this.unregister = this.bus.register('bandits', (examples) => this.record(examples));
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unregister?.();
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.flush().catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick()
        .catch((error: Error) => this.logger.warn(`bandit tick failed, will retry: ${error.message}`))
        .finally(() => this.schedule());
    }, this.settings.banditTickMs);
    this.timer.unref();
  }

  /** Adds the rewards of labelled bandit decisions to the pending evidence. */
  async record(examples: readonly LabelledExample[]): Promise<void> {
    const { snapshot } = this.snapshots.current();
    const relevant = examples.filter((e) => e.arm !== null);
    if (relevant.length === 0) return;
    const conversionGoal = relevant.filter((e) => snapshot.campaignsById.get(e.campaignId)?.goal?.metric === 'conversions');
    const converted = conversionGoal.length > 0 ? await this.events.decisionsWithConversion(conversionGoal.map((e) => e.decisionId)) : new Set<string>();
    for (const e of relevant) {
      const reward = banditReward(e.label, snapshot.campaignsById.get(e.campaignId)?.goal?.metric, converted.has(e.decisionId));
      const key = `${e.slotId}:${e.branch}`;
      let arms = this.pending.get(key);
      if (!arms) this.pending.set(key, (arms = new Map()));
      const cell = arms.get(e.arm!) ?? { successes: 0, trials: 0 };
      cell.successes += reward;
      cell.trials += 1;
      arms.set(e.arm!, cell);
    }
  }

  /** Flushes evidence and reweights every due branch; resolves when done (tests call it directly). */
  tick(nowMs = Date.now()): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      await this.flush();
      await this.reweightDue(nowMs);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const cells: ArmEvidence[] = [];
    for (const [branchKey, byArm] of batch) {
      for (const [arm, cell] of byArm) cells.push({ branchKey, arm, successes: cell.successes, trials: cell.trials });
    }
    try {
      await this.bandits.addEvidence(cells);
    } catch (error) {
      // Put the evidence back so the next tick retries it.
      for (const [key, byArm] of batch) {
        let target = this.pending.get(key);
        if (!target) this.pending.set(key, (target = new Map()));
        for (const [arm, cell] of byArm) {
          const have = target.get(arm) ?? { successes: 0, trials: 0 };
          target.set(arm, { successes: have.successes + cell.successes, trials: have.trials + cell.trials });
        }
      }
      throw error;
    }
  }

  private async reweightDue(nowMs: number): Promise<void> {
    const branches = banditBranches(this.snapshots.current().snapshot);
    if (branches.length === 0) return;
    const lastByKey = await this.bandits.lastReweights(branches.map((b) => b.branchKey));
    for (const branch of branches) {
      if (!shouldReweight(lastByKey.get(branch.branchKey) ?? null, nowMs, this.settings.banditReweightIntervalMs)) continue;
      await this.reweight(branch, nowMs);
    }
  }

  private async reweight(branch: BanditBranchRef, nowMs: number): Promise<void> {
    await this.database.transaction(async (manager) => {
      if (!(await this.bandits.tryLockBranch(manager, branch.branchKey))) return;
      // Another worker may have reweighted since we looked.
      const last = await this.bandits.lastReweight(manager, branch.branchKey);
      if (last !== null && !shouldReweight(last, nowMs, this.settings.banditReweightIntervalMs)) return;
      const rows = await this.bandits.armEvidence(manager, branch.branchKey);
      const byArm = new Map(rows.map((r) => [r.arm, r]));
      const stats: ArmStats[] = branch.arms.map((a) => {
        const row = byArm.get(a.modelId);
        const trials = Number(row?.trials ?? 0);
        return { id: a.modelId, trials, successes: Math.min(trials, Number(row?.successes ?? 0)), floor: a.floor };
      });
      const result = computeAllocation(
        stats,
        {
          floor: this.settings.banditDefaultFloor,
          warmupTrials: this.settings.banditWarmupTrials,
          monteCarloDraws: this.settings.banditMonteCarloDraws,
          discount: this.settings.banditDiscount,
          reweightIntervalMs: this.settings.banditReweightIntervalMs,
        },
        this.rng,
      );
      if (result.kind !== 'ok') {
        this.logger.warn(`bandit ${branch.branchKey}: ${result.reason}`);
        return;
      }
      await this.bandits.recordAllocation(manager, {
        branchKey: branch.branchKey,
        computedAtMs: nowMs,
        weights: result.weights.map((w) => ({ modelId: w.id, weight: w.weight })),
        winProbabilities: result.winProbabilities.map((w) => ({ modelId: w.id, weight: w.weight })),
        stats: stats.map((s) => ({ modelId: s.id, successes: s.successes, trials: s.trials })),
        warmingUp: result.isWarmingUp,
      });
      // Forget a little of the old evidence after each reweight (γ = 1 keeps everything).
      if (this.settings.banditDiscount < 1) await this.bandits.discountEvidence(manager, branch.branchKey, this.settings.banditDiscount);
    });
  }
}
