import { Injectable } from '@nestjs/common';
import { BanditAllocations } from '../delivery';
import { SnapshotService } from '../snapshot';
import { BanditRepository } from './bandit.repository';
import { banditBranches } from './bandit.service';

/** What the bandit endpoints show: each branch's arms, weights and evidence, and its allocation history. */
@Injectable()
export class BanditOverviewService {
  constructor(
    private readonly bandits: BanditRepository,
    private readonly snapshots: SnapshotService,
    private readonly allocations: BanditAllocations,
  ) {}

  /** Every bandit branch of the snapshot with its stored allocation (uniform weights before the first) and the weights this node serves. */
  async overview() {
    const branches = banditBranches(this.snapshots.current().snapshot);
    const keys = branches.map((b) => b.branchKey);
    const current = await this.bandits.currentWithDetails(keys);
    const stats = await this.bandits.evidenceOf(keys);
    const byKey = new Map(current.map((c) => [c.branchKey, c]));
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
          winProbabilities: c?.winProbabilities ?? null,
          warmingUp: c ? c.warmingUp : true,
          reweightedAt: c ? c.computedAt.toISOString() : null,
          weightsOnThisNode: served.get(b.branchKey) ?? null,
          evidence: stats.filter((s) => s.branchKey === b.branchKey).map((s) => ({ arm: s.arm, successes: s.successes, trials: s.trials })),
        };
      }),
    };
  }

  /** A branch's allocations in [fromMs, toMs), oldest first. */
  async history(branchKey: string, fromMs: number, toMs: number) {
    const rows = await this.bandits.history(branchKey, fromMs, toMs);
    return {
      branchKey,
      points: rows.map((r) => ({ at: r.computedAt.toISOString(), weights: r.weights, winProbabilities: r.winProbabilities, evidence: r.stats, warmingUp: r.warmingUp })),
    };
  }
}
