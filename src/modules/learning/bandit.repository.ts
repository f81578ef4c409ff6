import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';

export interface ModelWeight {
  modelId: string;
  weight: number;
}

/** Rewards and trials of one arm of one bandit branch. */
export interface ArmEvidence {
  branchKey: string;
  arm: string;
  successes: number;
  trials: number;
}

/** One reweight of a branch, as stored in bandit_allocations. */
export interface AllocationRecord {
  branchKey: string;
  computedAtMs: number;
  weights: ModelWeight[];
  winProbabilities: ModelWeight[];
  stats: { modelId: string; successes: number; trials: number }[];
  warmingUp: boolean;
}

/**
 * Tables bandit_arm_stats (evidence per branch and arm), bandit_allocations (every reweight) and
 * bandit_current (the allocation in force per branch, which API nodes poll).
 */
@Injectable()
export class BanditRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  /** Adds the rewards and trials to the stored evidence (one statement; cells must be unique per branch and arm). */
  async addEvidence(cells: readonly ArmEvidence[]): Promise<void> {
    await this.database.dataSource.query(
      `INSERT INTO bandit_arm_stats (branch_key, arm, successes, trials, updated_at)
       SELECT k, a, s, t, now() FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[]) AS x(k, a, s, t)
       ON CONFLICT (branch_key, arm) DO UPDATE SET successes = bandit_arm_stats.successes + EXCLUDED.successes,
         trials = bandit_arm_stats.trials + EXCLUDED.trials, updated_at = now()`,
      [cells.map((c) => c.branchKey), cells.map((c) => c.arm), cells.map((c) => c.successes), cells.map((c) => c.trials)],
    );
  }

  /** When each of the branches was last reweighted (epoch ms); branches never reweighted are absent. */
  async lastReweights(branchKeys: readonly string[]): Promise<Map<string, number>> {
    const last: { branch_key: string; computed_at: Date }[] = await this.database.dataSource.query(
      'SELECT branch_key, computed_at FROM bandit_current WHERE branch_key = ANY($1::text[])',
      [branchKeys],
    );
    return new Map(last.map((r) => [r.branch_key, new Date(r.computed_at).getTime()]));
  }

  /** The branch's reweight lock for the caller's transaction, if no other transaction holds it. */
  async tryLockBranch(manager: EntityManager, branchKey: string): Promise<boolean> {
    const locked: { ok: boolean }[] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('bandit:' || $1)) AS ok`, [branchKey]);
    return locked[0]?.ok === true;
  }

  /** When the branch was last reweighted (epoch ms), as the caller's transaction sees it; null if never. */
  async lastReweight(manager: EntityManager, branchKey: string): Promise<number | null> {
    const current: { computed_at: Date }[] = await manager.query('SELECT computed_at FROM bandit_current WHERE branch_key = $1', [branchKey]);
    return current.length ? new Date(current[0].computed_at).getTime() : null;
  }

  /** The branch's stored evidence per arm. */
  async armEvidence(manager: EntityManager, branchKey: string): Promise<{ arm: string; successes: number; trials: number }[]> {
    return manager.query('SELECT arm, successes, trials FROM bandit_arm_stats WHERE branch_key = $1', [branchKey]);
  }

  /** Stores a reweight in the history and makes it the branch's current allocation. */
  async recordAllocation(manager: EntityManager, allocation: AllocationRecord): Promise<void> {
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO bandit_allocations (branch_key, computed_at, weights, win_probabilities, stats, warming_up) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [
        allocation.branchKey,
        new Date(allocation.computedAtMs),
        JSON.stringify(allocation.weights),
        JSON.stringify(allocation.winProbabilities),
        JSON.stringify(allocation.stats),
        allocation.warmingUp,
      ],
    );
    await manager.query(
      `INSERT INTO bandit_current (branch_key, allocation_id, computed_at, weights) VALUES ($1, $2, $3, $4)
       ON CONFLICT (branch_key) DO UPDATE SET allocation_id = EXCLUDED.allocation_id, computed_at = EXCLUDED.computed_at, weights = EXCLUDED.weights`,
      [allocation.branchKey, inserted[0].id, new Date(allocation.computedAtMs), JSON.stringify(allocation.weights)],
    );
  }

  /** Multiplies the branch's evidence by `discount` (forgets a share of it). */
  async discountEvidence(manager: EntityManager, branchKey: string, discount: number): Promise<void> {
    await manager.query('UPDATE bandit_arm_stats SET successes = successes * $2, trials = trials * $2 WHERE branch_key = $1', [branchKey, discount]);
  }

  /** Every branch's current allocation, by branch key. */
  async currentAllocations(): Promise<{ branchKey: string; allocationId: string; weights: ModelWeight[] }[]> {
    const rows: { branch_key: string; allocation_id: string; weights: ModelWeight[] }[] = await this.database.dataSource.query(
      'SELECT branch_key, allocation_id, weights FROM bandit_current ORDER BY branch_key',
    );
    return rows.map((r) => ({ branchKey: r.branch_key, allocationId: r.allocation_id, weights: r.weights }));
  }

  /** The current allocation of each of the branches that has one, with its win probabilities and warm-up flag. */
  async currentWithDetails(branchKeys: readonly string[]): Promise<{ branchKey: string; computedAt: Date; weights: unknown; winProbabilities: unknown; warmingUp: boolean }[]> {
    if (branchKeys.length === 0) return [];
    const rows: { branch_key: string; computed_at: Date; weights: unknown; win_probabilities: unknown; warming_up: boolean }[] = await this.database.dataSource.query(
      `SELECT c.branch_key, c.computed_at, c.weights, a.win_probabilities, a.warming_up FROM bandit_current c JOIN bandit_allocations a ON a.id = c.allocation_id WHERE c.branch_key = ANY($1::text[])`,
      [branchKeys],
    );
    return rows.map((r) => ({ branchKey: r.branch_key, computedAt: new Date(r.computed_at), weights: r.weights, winProbabilities: r.win_probabilities, warmingUp: r.warming_up }));
  }

  /** The stored evidence of each of the branches, per arm. */
  async evidenceOf(branchKeys: readonly string[]): Promise<ArmEvidence[]> {
    if (branchKeys.length === 0) return [];
    const rows: { branch_key: string; arm: string; successes: number; trials: number }[] = await this.database.dataSource.query(
      'SELECT branch_key, arm, successes, trials FROM bandit_arm_stats WHERE branch_key = ANY($1::text[])',
      [branchKeys],
    );
    return rows.map((r) => ({ branchKey: r.branch_key, arm: r.arm, successes: Number(r.successes), trials: Number(r.trials) }));
  }

  /** A branch's reweights in [fromMs, toMs), oldest first (at most 5000). */
  async history(branchKey: string, fromMs: number, toMs: number): Promise<{ computedAt: Date; weights: unknown; winProbabilities: unknown; stats: unknown; warmingUp: boolean }[]> {
    const rows: { computed_at: Date; weights: unknown; win_probabilities: unknown; stats: unknown; warming_up: boolean }[] = await this.database.dataSource.query(
      `SELECT computed_at, weights, win_probabilities, stats, warming_up FROM bandit_allocations
        WHERE branch_key = $1 AND computed_at >= $2 AND computed_at < $3 ORDER BY computed_at LIMIT 5000`,
      [branchKey, new Date(fromMs), new Date(toMs)],
    );
    return rows.map((r) => ({ computedAt: new Date(r.computed_at), weights: r.weights, winProbabilities: r.win_probabilities, stats: r.stats, warmingUp: r.warming_up }));
  }

  /** Every reweight of the branches, oldest first. */
  async allocationsOf(branchKeys: readonly string[]): Promise<{ branchKey: string; computedAtMs: number; weights: ModelWeight[] }[]> {
    if (branchKeys.length === 0) return [];
    const rows: { branch_key: string; computed_at: Date; weights: ModelWeight[] }[] = await this.database.dataSource.query(
      'SELECT branch_key, computed_at, weights FROM bandit_allocations WHERE branch_key = ANY($1::text[]) ORDER BY computed_at',
      [branchKeys],
    );
    return rows.map((r) => ({ branchKey: r.branch_key, computedAtMs: new Date(r.computed_at).getTime(), weights: r.weights }));
  }
}
