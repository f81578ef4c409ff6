import { Injectable } from '@nestjs/common';
import { type IpsLog, ipsEstimate } from '../../engine/metrics/ips';
import { validationError } from '../../platform/http/validation';
import { SnapshotService } from '../snapshot';
import { BanditRepository } from './bandit.repository';
import { banditBranches } from './bandit.service';
import { IpsRepository } from './ips.repository';
import { type AllocationPoint, loggedArmProbability, type TargetPolicy, targetArmProbability, targetPropensity, toShares } from './ips-weights';

export type { TargetPolicy } from './ips-weights';

/** Checks the request's targetPolicy; throws a 400 naming the problem. */
export function parseTargetPolicy(raw: Record<string, unknown>): TargetPolicy {
  const problem = (p: string) => validationError([{ field: 'targetPolicy', problems: [p] }]);
  if (raw.kind === 'uniform') return { kind: 'uniform' };
  if (raw.kind === 'model') {
    if (typeof raw.modelId !== 'string' || raw.modelId.length === 0) throw problem('model policy needs a modelId');
    return { kind: 'model', modelId: raw.modelId };
  }
  if (raw.kind === 'allocation') {
    const w = raw.weights;
    if (typeof w !== 'object' || w === null || Array.isArray(w)) throw problem('allocation policy needs weights {modelId: share}');
    const entries = Object.entries(w as Record<string, unknown>);
    if (entries.length === 0 || entries.some(([, v]) => typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))) throw problem('weights must be finite numbers >= 0');
    if (!entries.some(([, v]) => (v as number) > 0)) throw problem('at least one weight must be > 0');
    return { kind: 'allocation', weights: Object.fromEntries(entries) as Record<string, number> };
  }
  throw problem("kind must be 'uniform', 'model' or 'allocation'");
}

/**
 * Off-policy evaluation of arm allocations from the decision log. Each bandit decision's logged
 * propensity is (arm probability × probability of the ad within the arm); the arm probability is
 * logged with the decision as the deciding node drew it (rows from before that column: the branch's
 * allocation computed last before the decision, bandit_allocations; uniform before the first one).
 * A target policy changes only the arm probability, so its probability of the logged ad is
 * propensity × target(arm) / logged(arm). Rewards are the click labels (labelled_examples).
 */
@Injectable()
export class IpsEvaluationService {
  constructor(
    private readonly logged: IpsRepository,
    private readonly bandits: BanditRepository,
    private readonly snapshots: SnapshotService,
  ) {}

  async evaluate(input: { fromMs: number; toMs: number; slot?: string; target: TargetPolicy; weightCap?: number; limit?: number }) {
    const { snapshot } = this.snapshots.current();
    let slotId: string | null = null;
    if (input.slot) {
      slotId = snapshot.slotsById.get(input.slot)?.id ?? snapshot.slotsByKey.get(input.slot)?.id ?? null;
      if (!slotId) throw validationError([{ field: 'slot', problems: [`slot "${input.slot}" does not exist`] }]);
    }
    const rows = await this.logged.labelledBanditDecisions(input.fromMs, input.toMs, slotId, input.limit ?? 200_000);
    // The allocation history is only read for rows logged before arm_probability existed.
    const keys = [...new Set(rows.filter((r) => r.arm_probability === null).map((r) => `${r.slot_id}:${r.branch}`))];
    const history = await this.bandits.allocationsOf(keys);
    const historyByKey = new Map<string, AllocationPoint[]>();
    for (const h of history) {
      const list = historyByKey.get(h.branchKey) ?? [];
      list.push({ atMs: h.computedAtMs, shares: toShares(h.weights) });
      historyByKey.set(h.branchKey, list);
    }
    const armsByKey = new Map<string, string[]>(banditBranches(snapshot).map((b) => [b.branchKey, b.arms.map((a) => a.modelId)]));
    for (const r of rows) {
      const key = `${r.slot_id}:${r.branch}`;
      const arms = armsByKey.get(key) ?? [];
      if (!arms.includes(r.arm)) armsByKey.set(key, [...arms, r.arm]);
    }

    const logs: IpsLog[] = [];
    let clicks = 0;
    const perArm = new Map<string, { decisions: number; clicks: number }>();
    for (const r of rows) {
      const key = `${r.slot_id}:${r.branch}`;
      const arms = armsByKey.get(key)!;
      // As the deciding node drew it; rows logged before that column existed fall back to the history.
      const loggedArm = r.arm_probability !== null ? Number(r.arm_probability) : loggedArmProbability(historyByKey.get(key) ?? [], new Date(r.created_at).getTime(), r.arm, arms.length);
      const propensity = Number(r.propensity);
      const targetProbability = targetPropensity(propensity, loggedArm, targetArmProbability(input.target, arms, r.arm));
      logs.push({ loggedProbability: propensity, reward: Number(r.label), targetProbability });
      clicks += Number(r.label);
      const a = perArm.get(r.arm) ?? { decisions: 0, clicks: 0 };
      a.decisions++;
      a.clicks += Number(r.label);
      perArm.set(r.arm, a);
    }
    const estimate = ipsEstimate(logs, input.weightCap ?? Infinity);
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    return {
      targetPolicy: input.target,
      window: { from: new Date(input.fromMs).toISOString(), to: new Date(input.toMs).toISOString() },
      decisions: rows.length,
      loggedCtr: rows.length ? clicks / rows.length : null,
      arms: Object.fromEntries([...perArm].map(([arm, a]) => [arm, { ...a, ctr: a.clicks / a.decisions }])),
      estimate:
        estimate.kind === 'ok'
          ? { ctrIps: estimate.ips, ctrSnips: finite(estimate.snips), stdErr: finite(estimate.stdErr), effectiveSampleSize: estimate.effectiveSampleSize, clipped: estimate.clippedCount }
          : null,
      note: estimate.kind === 'empty' ? 'no labelled bandit decisions in the window' : estimate.kind === 'invalid' ? `invalid log at ${estimate.index}: ${estimate.reason}` : undefined,
    };
  }
}
