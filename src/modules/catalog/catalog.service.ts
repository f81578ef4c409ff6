import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { findShadowedBranches, validateAudienceExpr } from '../../engine/policy/audience-expr';
import { isValidTimeZone } from '../../engine/policy/local-time';
import type { AudienceExpr, Branch, CampaignStatus, DeliveryPolicy } from '../../engine/policy/snapshot';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { AuditService, type Actor } from '../audit';
import { checkIfMatch, conflict, notFound, ProblemList } from './catalog-errors';
import type {
  CampaignListQueryDto,
  CreateCampaignDto,
  CreateCreativeDto,
  CreateSlotDto,
  PutPolicyDto,
  ScheduleDto,
  UpdateCampaignDto,
  UpdateCreativeDto,
  UpdateSlotDto,
} from './catalog.dto';
import type { CampaignEntity, CreativeEntity, DeliveryPolicyEntity, SlotEntity } from './catalog.entities';
import { CatalogRepository } from './catalog.repository';
import {
  campaignView,
  creativeView,
  deliveryMode,
  describeStrategy,
  policyView,
  slotView,
  type CampaignView,
  type CreativeView,
  type DeliveryRoute,
  type PolicyView,
  type SlotView,
} from './catalog-views';

/** draft → active ⇄ paused → ended; archived from draft, paused or ended. */
const TRANSITIONS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ['active', 'archived'],
  active: ['paused', 'ended'],
  paused: ['active', 'ended', 'archived'],
  ended: ['archived'],
  archived: [],
};

const SUPPRESS_BY_DEFAULT = new Set(['membership', 'paid_package']);
const DEFAULT_EXPLORATION_BUDGET = 1000;
const DEFAULT_ARM_FLOOR = 0.05;

export interface TrafficRow {
  id: string;
  name: string;
  category: string;
  status: string;
  priority: number;
  strategy: string;
  platforms: string[];
  slots: string[];
  deliveryModes: string[];
  schedule: { startAt: string; endAt: string | null; timeZone: string; dayParting: string };
}

@Injectable()
export class ConfigService {
  constructor(
    private readonly repo: CatalogRepository,
    private readonly bus: ConfigChangeBus,
    private readonly audit: AuditService,
  ) {}

  // ---------------------------------------------------------------- slots

  async listSlots(): Promise<SlotView[]> {
    return (await this.repo.listSlots()).map(slotView);
  }

  async getSlot(idOrKey: string): Promise<SlotView> {
    const slot = await this.repo.findSlot(idOrKey);
    if (!slot) throw notFound('slot', idOrKey);
    return slotView(slot);
  }

  async createSlot(dto: CreateSlotDto, actor: Actor): Promise<SlotView> {
    if (await this.repo.findSlot(dto.key)) throw conflict(`slot key ${dto.key} is taken`, [{ field: 'key', problems: ['is already used by another slot'] }]);
    const slot = await this.bus.change(async (m) => {
      const saved = await this.repo.insertSlot(m, { ...dto, adLoadCap: dto.adLoadCap ?? null });
      await this.audit.record(m, { entityType: 'slot', entityId: saved.id, action: 'create', actor, before: null, after: slotView(saved) });
      return saved;
    });
    return slotView(slot);
  }

  async updateSlot(idOrKey: string, dto: UpdateSlotDto, ifMatch: string | undefined, actor: Actor): Promise<SlotView> {
    const slot = await this.bus.change(async (m) => {
      const current = await this.repo.findSlot(idOrKey, m, true);
      if (!current) throw notFound('slot', idOrKey);
      checkIfMatch(ifMatch, current.version, 'slot');
      const before = slotView(current);
      Object.assign(current, stripUndefined(dto), { version: current.version + 1, updatedAt: new Date() });
      const saved = await this.repo.saveSlot(m, current);
      await this.audit.record(m, { entityType: 'slot', entityId: saved.id, action: 'update', actor, before, after: slotView(saved) });
      return saved;
    });
    return slotView(slot);
  }

  async deleteSlot(idOrKey: string, actor: Actor): Promise<void> {
    await this.bus.change(async (m) => {
      const slot = await this.repo.findSlot(idOrKey, m, true);
      if (!slot) throw notFound('slot', idOrKey);
      const policy = await this.repo.findPolicy(slot.id, m);
      const campaigns = await this.repo.campaignsUsingSlot(slot.id, m);
      if (policy || campaigns.length > 0) {
        const users = [...(policy ? [`delivery policy of slot ${slot.key}`] : []), ...campaigns.map((c) => `campaign ${c.name} (${c.id}, ${c.status})`)];
        throw conflict(`slot ${slot.key} is in use by ${users.join(', ')}; remove those references first`, undefined, { usedBy: users });
      }
      await this.repo.deleteSlot(m, slot.id);
      await this.audit.record(m, { entityType: 'slot', entityId: slot.id, action: 'delete', actor, before: slotView(slot), after: null });
    });
  }

  // ------------------------------------------------------------ campaigns

  private async slotKeyMap(manager?: EntityManager): Promise<Map<string, string>> {
    return new Map((await this.repo.listSlots(manager)).map((s) => [s.id, s.key]));
  }

  async getCampaign(id: string): Promise<CampaignView> {
    const campaign = await this.repo.findCampaign(id);
    if (!campaign) throw notFound('campaign', id);
    return campaignView(campaign, await this.repo.listCreatives([id]), await this.slotKeyMap());
  }

  private validateSchedule(schedule: ScheduleDto, problems: ProblemList): void {
    if (!isValidTimeZone(schedule.timeZone)) problems.add('schedule.timeZone', `unknown IANA time zone "${schedule.timeZone}"`);
    if (schedule.endAt && Date.parse(schedule.endAt) <= Date.parse(schedule.startAt)) problems.add('schedule.endAt', 'must be after startAt');
    schedule.dayParting?.forEach((part, i) => {
      if (part.endHour <= part.startHour) problems.add(`schedule.dayParting.${i}.endHour`, 'must be after startHour (write overnight spans as two parts)');
    });
  }

  private async resolveSlots(refs: readonly string[], problems: ProblemList, manager: EntityManager): Promise<SlotEntity[]> {
    const found = await this.repo.findSlotsByIdOrKey(refs, manager);
    const slots: SlotEntity[] = [];
    refs.forEach((ref, i) => {
      const slot = found.find((s) => s.id === ref || s.key === ref);
      if (!slot) problems.add(`slots.${i}`, `unknown slot "${ref}"`);
      else slots.push(slot);
    });
    return slots;
  }

  async createCampaign(dto: CreateCampaignDto, actor: Actor): Promise<CampaignView> {
    const campaign = await this.bus.change(async (m) => {
      const problems = new ProblemList();
      this.validateSchedule(dto.schedule, problems);
      validateGoal(dto.goal ?? null, problems);
      const slots = await this.resolveSlots(dto.slots, problems, m);
      problems.throwIfAny();
      const saved = await this.repo.insertCampaign(m, {
        name: dto.name,
        category: dto.category,
        status: 'draft',
        priority: dto.priority,
        platforms: dto.platforms,
        slotIds: slots.map((s) => s.id),
        schedule: normalizeSchedule(dto.schedule),
        frequencyCaps: dto.frequencyCaps ?? [],
        goal: dto.goal ? { metric: dto.goal.metric, daily: dto.goal.daily ?? null, total: dto.goal.total ?? null, pacing: dto.goal.pacing } : null,
        explorationBudget: dto.explorationBudget ?? DEFAULT_EXPLORATION_BUDGET,
        tags: { genres: dto.tags?.genres ?? [], artists: dto.tags?.artists ?? [], languages: dto.tags?.languages ?? [] },
        suppressOnConversion: dto.suppressOnConversion ?? SUPPRESS_BY_DEFAULT.has(dto.category),
      });
      const view = campaignView(saved, [], new Map(slots.map((s) => [s.id, s.key])));
      await this.audit.record(m, { entityType: 'campaign', entityId: saved.id, action: 'create', actor, before: null, after: view });
      return view;
    });
    return campaign;
  }

  async updateCampaign(id: string, dto: UpdateCampaignDto, ifMatch: string | undefined, actor: Actor): Promise<CampaignView> {
    return this.bus.change(async (m) => {
      const current = await this.repo.findCampaign(id, m, true);
      if (!current) throw notFound('campaign', id);
      checkIfMatch(ifMatch, current.version, 'campaign');
      const keys = await this.slotKeyMap(m);
      const creatives = await this.repo.listCreatives([id], m);
      const before = campaignView(current, creatives, keys);
      const problems = new ProblemList();
      if (dto.schedule) this.validateSchedule(dto.schedule, problems);
      if (dto.goal !== undefined) validateGoal(dto.goal, problems);
      const slots = dto.slots ? await this.resolveSlots(dto.slots, problems, m) : null;
      problems.throwIfAny();
      const { slots: _slots, schedule, goal, tags, ...plain } = dto;
      Object.assign(current, stripUndefined(plain));
      if (slots) current.slotIds = slots.map((s) => s.id);
      if (schedule) current.schedule = normalizeSchedule(schedule);
      if (goal !== undefined) current.goal = goal ? { metric: goal.metric, daily: goal.daily ?? null, total: goal.total ?? null, pacing: goal.pacing } : null;
      if (tags) current.tags = { genres: tags.genres ?? [], artists: tags.artists ?? [], languages: tags.languages ?? [] };
      if (current.status === 'active') await this.assertServable(current, creatives, m);
      current.version += 1;
      current.updatedAt = new Date();
      const saved = await this.repo.saveCampaign(m, current);
      const after = campaignView(saved, creatives, keys);
      await this.audit.record(m, { entityType: 'campaign', entityId: id, action: 'update', actor, before, after });
      return after;
    });
  }

  async changeStatus(id: string, status: CampaignStatus, ifMatch: string | undefined, actor: Actor): Promise<CampaignView> {
    return this.bus.change(async (m) => {
      const current = await this.repo.findCampaign(id, m, true);
      if (!current) throw notFound('campaign', id);
      checkIfMatch(ifMatch, current.version, 'campaign');
      if (!TRANSITIONS[current.status].includes(status)) {
        const legal = TRANSITIONS[current.status];
        throw conflict(`a ${current.status} campaign cannot become ${status}`, [
          { field: 'status', problems: [`illegal transition ${current.status} → ${status}; from ${current.status} the legal ones are: ${legal.length ? legal.join(', ') : 'none'}`] },
        ]);
      }
      const creatives = await this.repo.listCreatives([id], m);
      if (status === 'active') await this.assertServable(current, creatives, m);
      const keys = await this.slotKeyMap(m);
      const before = campaignView(current, creatives, keys);
      current.status = status;
      current.version += 1;
      current.updatedAt = new Date();
      const saved = await this.repo.saveCampaign(m, current);
      const after = campaignView(saved, creatives, keys);
      await this.audit.record(m, { entityType: 'campaign', entityId: id, action: `status:${status}`, actor, before, after });
      return after;
    });
  }

  /** An active campaign needs, for each of its slots, a creative of that slot's format. */
  private async assertServable(campaign: CampaignEntity, creatives: readonly CreativeEntity[], m: EntityManager): Promise<void> {
    const slots = await this.repo.findSlotsByIdOrKey(campaign.slotIds, m);
    const missing = slots.filter((slot) => !creatives.some((c) => c.formats.includes(slot.format)));
    if (missing.length > 0) {
      throw conflict(`campaign ${campaign.name} cannot be active without a creative for every slot format`, [
        { field: 'creatives', problems: missing.map((s) => `no creative fits slot ${s.key} (format ${s.format})`) },
      ]);
    }
  }

  // ------------------------------------------------------------ creatives

  async addCreative(campaignId: string, dto: CreateCreativeDto, actor: Actor): Promise<CreativeView> {
    return this.bus.change(async (m) => {
      const campaign = await this.repo.findCampaign(campaignId, m, true);
      if (!campaign) throw notFound('campaign', campaignId);
      const saved = await this.repo.insertCreative(m, {
        campaignId,
        type: dto.type,
        formats: dto.formats,
        title: dto.title,
        assetUrl: dto.assetUrl ?? null,
        landingUrl: dto.landingUrl,
        weight: dto.weight ?? 1,
      });
      await this.audit.record(m, { entityType: 'creative', entityId: saved.id, action: 'create', actor, before: null, after: creativeView(saved) });
      return creativeView(saved);
    });
  }

  async updateCreative(id: string, dto: UpdateCreativeDto, ifMatch: string | undefined, actor: Actor): Promise<CreativeView> {
    return this.bus.change(async (m) => {
      const current = await this.repo.findCreative(id, m, true);
      if (!current) throw notFound('creative', id);
      checkIfMatch(ifMatch, current.version, 'creative');
      const before = creativeView(current);
      Object.assign(current, stripUndefined(dto), { version: current.version + 1, updatedAt: new Date() });
      const campaign = (await this.repo.findCampaign(current.campaignId, m, true))!;
      if (campaign.status === 'active') {
        const creatives = (await this.repo.listCreatives([campaign.id], m)).map((c) => (c.id === id ? current : c));
        await this.assertServable(campaign, creatives, m);
      }
      const saved = await this.repo.saveCreative(m, current);
      await this.audit.record(m, { entityType: 'creative', entityId: id, action: 'update', actor, before, after: creativeView(saved) });
      return creativeView(saved);
    });
  }

  async deleteCreative(id: string, actor: Actor): Promise<void> {
    await this.bus.change(async (m) => {
      const current = await this.repo.findCreative(id, m, true);
      if (!current) throw notFound('creative', id);
      const campaign = (await this.repo.findCampaign(current.campaignId, m, true))!;
      if (campaign.status === 'active') {
        const rest = (await this.repo.listCreatives([campaign.id], m)).filter((c) => c.id !== id);
        await this.assertServable(campaign, rest, m);
      }
      await this.repo.deleteCreative(m, id);
      await this.audit.record(m, { entityType: 'creative', entityId: id, action: 'delete', actor, before: creativeView(current), after: null });
    });
  }

  // ------------------------------------------------------------- policies

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
    const knownPackages = await this.repo.existingPackageKeys([...packageKeys], m);
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

  // --------------------------------------------------------- traffic table

  async trafficTable(query: CampaignListQueryDto): Promise<{ items: TrafficRow[]; total: number; page: number; pageSize: number }> {
    const rows = await this.trafficRows(query);
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    return { items: rows.slice((page - 1) * pageSize, page * pageSize), total: rows.length, page, pageSize };
  }

  async trafficRows(query: CampaignListQueryDto): Promise<TrafficRow[]> {
    const problems = new ProblemList();
    let slotId: string | undefined;
    if (query.slot) {
      const slot = await this.repo.findSlot(query.slot);
      if (!slot) problems.add('slot', `unknown slot "${query.slot}"`);
      slotId = slot?.id;
    }
    if (query.from && query.to && Date.parse(query.to) < Date.parse(query.from)) problems.add('to', 'must not be before from');
    problems.throwIfAny();
    const [campaigns, slots, policies] = await Promise.all([
      this.repo.listCampaigns({
        status: query.status,
        category: query.category,
        platform: query.platform,
        slotId,
        fromMs: query.from ? Date.parse(query.from) : undefined,
        toMs: query.to ? Date.parse(query.to) : undefined,
      }),
      this.repo.listSlots(),
      this.repo.listPolicies(),
    ]);
    const slotKeys = new Map(slots.map((s) => [s.id, s.key]));
    const routes = new Map<string, DeliveryRoute[]>();
    for (const policy of policies) {
      for (const branch of policy.branches) {
        for (const id of branch.campaignIds) {
          const list = routes.get(id) ?? [];
          list.push({ slotKey: slotKeys.get(policy.slotId) ?? policy.slotId, branch: branch.name, targeted: branch.audience !== 'everyone', method: branch.method });
          routes.set(id, list);
        }
      }
    }
    return campaigns
      .map((c): TrafficRow => {
        const campaignRoutes = routes.get(c.id) ?? [];
        return {
          id: c.id,
          name: c.name,
          category: c.category,
          status: c.status,
          priority: c.priority,
          strategy: describeStrategy(campaignRoutes),
          platforms: c.platforms,
          slots: c.slotIds.map((id) => slotKeys.get(id) ?? id),
          deliveryModes: [...new Set(campaignRoutes.map(deliveryMode))],
          schedule: {
            startAt: c.schedule.startAt,
            endAt: c.schedule.endAt,
            timeZone: c.schedule.timeZone,
            dayParting: c.schedule.dayParting ? c.schedule.dayParting.map((p) => `${p.days.join(',')} ${p.startHour}-${p.endHour}h`).join('; ') : 'all hours',
          },
        };
      })
      .filter((row) => matchesMode(row, routes.get(row.id) ?? [], query.mode));
  }
}

function matchesMode(_row: TrafficRow, routes: readonly DeliveryRoute[], mode: string | undefined): boolean {
  if (!mode) return true;
  if (mode === 'none') return routes.length === 0;
  if (mode === 'targeted') return routes.some((r) => r.targeted);
  if (mode === 'untargeted') return routes.some((r) => !r.targeted);
  return routes.some((r) => r.method === mode);
}

function validateGoal(goal: { daily?: number | null; total?: number | null } | null, problems: ProblemList): void {
  if (!goal) return;
  if (goal.daily == null && goal.total == null) problems.add('goal', 'a goal needs daily, total or both');
  if (goal.daily != null && goal.total != null && goal.daily > goal.total) problems.add('goal.daily', 'must not exceed total');
}

function normalizeSchedule(s: ScheduleDto) {
  return {
    startAt: new Date(s.startAt).toISOString(),
    endAt: s.endAt ? new Date(s.endAt).toISOString() : null,
    timeZone: s.timeZone,
    dayParting: s.dayParting ? s.dayParting.map((p) => ({ days: p.days, startHour: p.startHour, endHour: p.endHour })) : null,
  };
}

function shadowWarnings(policy: { slotId: string; branches: Branch[] }): string[] {
  return findShadowedBranches(policy as DeliveryPolicy).map((w) => w.message);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
