import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { PackagePolicyUses, PackageRepository } from '../audiences';
import { AuditService, type Actor } from '../audit';
import { validateAudienceExpr } from '../../engine/policy/audience-expr';
import type { AudienceExpr, Branch } from '../../engine/policy/snapshot';
import { checkIfMatch, notFound, ProblemList } from './catalog-errors';
import type { PutPolicyDto } from './policy.dto';
import type { DeliveryPolicyEntity, SlotEntity } from './catalog.entities';
import { CatalogRepository } from './catalog.repository';
import { shadowWarnings } from './catalog-rules';
import { policyView, type PolicyView } from './catalog-views';

const DEFAULT_ARM_FLOOR = 0.05;

/** Each slot's delivery policy: ordered branches of audience → candidates → method. */
@Injectable()
export class PolicyService implements OnModuleInit {
  constructor(
    private readonly repo: CatalogRepository,
    private readonly bus: ConfigChangeBus,
    private readonly audit: AuditService,
    private readonly packages: PackageRepository,
    private readonly packagePolicyUses: PackagePolicyUses,
  ) {}

  onModuleInit(): void {
    // A package a policy names cannot be deleted: the audiences module asks the catalog through this.
    this.packagePolicyUses.register((key, manager) => this.repo.policiesUsingPackage(key, manager));
  }


  async getPolicy(slotRef: string): Promise<PolicyView> {
    const slot = await this.repo.findSlot(slotRef);
    if (!slot) throw notFound('slot', slotRef);
    const policy = await this.repo.findPolicy(slot.id);
    if (!policy) throw notFound('delivery policy of slot', slot.key);
    return policyView(policy, slot, shadowWarnings(policy));
  }

  async putPolicy(slotRef: string, dto: PutPolicyDto, ifMatch: string | undefined, actor: Actor): Promise<{ view: PolicyView; created: boolean }> {
    return this.bus.change(async (m) => {
      const slot = await this.repo.findSlot(slotRef, m, true);
      if (!slot) throw notFound('slot', slotRef);
      const existing = await this.repo.findPolicy(slot.id, m, true);
      if (existing) checkIfMatch(ifMatch, existing.version, 'delivery policy');
      const branches = await this.validateBranches(dto, slot, m);
      const before = existing ? policyView(existing, slot, []) : null;
      const policy: DeliveryPolicyEntity = existing ?? ({ slotId: slot.id, version: 0 } as DeliveryPolicyEntity);
      policy.branches = branches;
      policy.version += 1;
      policy.updatedAt = new Date();
      const saved = await this.repo.savePolicy(m, policy);
      const view = policyView(saved, slot, shadowWarnings(saved));
      await this.audit.record(m, { entityType: 'policy', entityId: slot.key, action: existing ? 'update' : 'create', actor, before, after: { ...view, warnings: undefined } });
      return { view, created: !existing };
    });
  }

  async deletePolicy(slotRef: string, actor: Actor): Promise<void> {
    await this.bus.change(async (m) => {
      const slot = await this.repo.findSlot(slotRef, m, true);
      if (!slot) throw notFound('slot', slotRef);
      const existing = await this.repo.findPolicy(slot.id, m, true);
      if (!existing) throw notFound('delivery policy of slot', slot.key);
      await this.repo.deletePolicy(m, slot.id);
      await this.audit.record(m, { entityType: 'policy', entityId: slot.key, action: 'delete', actor, before: policyView(existing, slot, []), after: null });
    });
  }

  /**
   * Promotion by competition: `modelId` joins, as a new arm at `floor`, every bandit branch that lists
   * the campaign and lacks it; the bandit allocator then gives it the traffic it earns. Each changed
   * policy is saved, versioned and audited like an operator's edit. Returns the slots changed.
   */
  async joinBanditArm(campaignId: string, modelId: string, floor: number, actor: Actor): Promise<string[]> {
    return this.bus.change(async (m) => {
      const slots = new Map((await this.repo.listSlots(m)).map((s) => [s.id, s]));
      const joined: string[] = [];
      for (const policy of await this.repo.listPolicies(m)) {
        const wants = (b: Branch) => b.method === 'bandit' && b.campaignIds.includes(campaignId) && !(b.arms ?? []).some((a) => a.modelId === modelId);
        if (!policy.branches.some(wants)) continue;
        const slot = slots.get(policy.slotId)!;
        const before = policyView(policy, slot, []);
        policy.branches = policy.branches.map((b) => (wants(b) ? { ...b, arms: [...(b.arms ?? []), { modelId, floor }] } : b));
        policy.version += 1;
        policy.updatedAt = new Date();
        const saved = await this.repo.savePolicy(m, policy);
        await this.audit.record(m, { entityType: 'policy', entityId: slot.key, action: 'update', actor, before, after: policyView(saved, slot, []) });
        joined.push(slot.key);
      }
      return joined;
    });
  }

  /** References exist, candidates fit the slot, methods are complete. Every problem is named by its field path. */
  private async validateBranches(dto: PutPolicyDto, slot: SlotEntity, m: EntityManager): Promise<Branch[]> {
    const problems = new ProblemList();
    const packageKeys = new Set<string>();
    const collect = (node: unknown): void => {
      if (node && typeof node === 'object') {
        const obj = node as Record<string, unknown>;
        if (typeof obj.package === 'string') packageKeys.add(obj.package);
        for (const value of Object.values(obj)) Array.isArray(value) ? value.forEach(collect) : collect(value);
      }
    };
    dto.branches.forEach((b) => collect(b.audience));
    const knownPackages = new Set((await this.packages.findManyByKeys([...packageKeys], m)).map((p) => p.key));
    const campaigns = new Map((await this.repo.findCampaigns(dto.branches.flatMap((b) => b.campaignIds), m)).map((c) => [c.id, c]));
    const creatives = await this.repo.listCreatives([...campaigns.keys()], m);

    const branches: Branch[] = dto.branches.map((b, i) => {
      const at = `branches.${i}`;
      for (const error of validateAudienceExpr(b.audience, knownPackages)) {
        problems.add(`${at}.audience${error.path.replace(/^\$/, '').replace(/\[(\d+)\]/g, '.$1')}`, error.message);
      }
      b.campaignIds.forEach((id, j) => {
        const campaign = campaigns.get(id);
        if (!campaign) return problems.add(`${at}.campaignIds.${j}`, `unknown campaign "${id}"`);
        if (!campaign.slotIds.includes(slot.id)) problems.add(`${at}.campaignIds.${j}`, `campaign ${campaign.name} does not list slot ${slot.key}`);
        if (!campaign.platforms.some((p) => slot.platforms.includes(p))) {
          problems.add(`${at}.campaignIds.${j}`, `campaign ${campaign.name} targets none of the slot's platforms (${slot.platforms.join(', ')})`);
        }
        if (campaign.status === 'archived') problems.add(`${at}.campaignIds.${j}`, `campaign ${campaign.name} is archived`);
        if (!creatives.some((c) => c.campaignId === id && c.formats.includes(slot.format)) && campaign.status !== 'draft') {
          problems.add(`${at}.campaignIds.${j}`, `campaign ${campaign.name} has no creative of format ${slot.format}`);
        }
      });
      if (b.method === 'designated' && b.campaignIds.length !== 1) problems.add(`${at}.campaignIds`, 'a designated branch names exactly one campaign');
      if (b.method === 'model' && !b.modelId) problems.add(`${at}.modelId`, 'a model branch names the model that ranks its candidates');
      if (b.method !== 'model' && b.modelId) problems.add(`${at}.modelId`, `only a model branch takes modelId (this one is ${b.method})`);
      if (b.method === 'bandit') {
        if (!b.arms || b.arms.length < 2) problems.add(`${at}.arms`, 'a bandit branch needs at least two arms');
        else {
          const floors = b.arms.reduce((s, a) => s + (a.floor ?? DEFAULT_ARM_FLOOR), 0);
          if (floors > 1) problems.add(`${at}.arms`, `arm floors add up to ${floors.toFixed(3)}, more than 1`);
          if (new Set(b.arms.map((a) => a.modelId)).size !== b.arms.length) problems.add(`${at}.arms`, 'each arm names a different model');
        }
      } else if (b.arms) problems.add(`${at}.arms`, `only a bandit branch takes arms (this one is ${b.method})`);
      return {
        name: b.name,
        audience: b.audience as AudienceExpr,
        campaignIds: b.campaignIds,
        method: b.method,
        modelId: b.modelId ?? null,
        arms: b.arms ? b.arms.map((a) => ({ modelId: a.modelId, floor: a.floor ?? DEFAULT_ARM_FLOOR })) : null,
      };
    });
    const names = dto.branches.map((b) => b.name);
    names.forEach((name, i) => names.indexOf(name) !== i && problems.add(`branches.${i}.name`, `duplicate branch name "${name}"`));
    problems.throwIfAny();
    return branches;
  }
}
