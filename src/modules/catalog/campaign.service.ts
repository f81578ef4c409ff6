import { Injectable } from '@nestjs/common';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { AuditService, type Actor } from '../audit';
import type { CampaignStatus } from '../../engine/policy/snapshot';
import { checkIfMatch, conflict, notFound, ProblemList } from './catalog-errors';
import type { CreateCampaignDto, UpdateCampaignDto } from './campaign.dto';
import { CatalogRepository } from './catalog.repository';
import { assertServable, normalizeSchedule, resolveSlots, slotKeyMap, stripUndefined, TRANSITIONS, validateGoal, validateSchedule } from './catalog-rules';
import { campaignView, type CampaignView } from './catalog-views';

const SUPPRESS_BY_DEFAULT = new Set(['membership', 'paid_package']);
const DEFAULT_EXPLORATION_BUDGET = 1000;

/** Campaigns and their lifecycle; an active campaign always has a creative for each of its slots. */
@Injectable()
export class CampaignService {
  constructor(
    private readonly repo: CatalogRepository,
    private readonly bus: ConfigChangeBus,
    private readonly audit: AuditService,
  ) {}

  async getCampaign(id: string): Promise<CampaignView> {
    const campaign = await this.repo.findCampaign(id);
    if (!campaign) throw notFound('campaign', id);
    return campaignView(campaign, await this.repo.listCreatives([id]), await slotKeyMap(this.repo));
  }

  async createCampaign(dto: CreateCampaignDto, actor: Actor): Promise<CampaignView> {
    const campaign = await this.bus.change(async (m) => {
      const problems = new ProblemList();
      validateSchedule(dto.schedule, problems);
      validateGoal(dto.goal ?? null, problems);
      const slots = await resolveSlots(this.repo, dto.slots, problems, m);
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
      const keys = await slotKeyMap(this.repo, m);
      const creatives = await this.repo.listCreatives([id], m);
      const before = campaignView(current, creatives, keys);
      const problems = new ProblemList();
      if (dto.schedule) validateSchedule(dto.schedule, problems);
      if (dto.goal !== undefined) validateGoal(dto.goal, problems);
      const slots = dto.slots ? await resolveSlots(this.repo, dto.slots, problems, m) : null;
      problems.throwIfAny();
      const { slots: _slots, schedule, goal, tags, ...plain } = dto;
      Object.assign(current, stripUndefined(plain));
      if (slots) current.slotIds = slots.map((s) => s.id);
      if (schedule) current.schedule = normalizeSchedule(schedule);
      if (goal !== undefined) current.goal = goal ? { metric: goal.metric, daily: goal.daily ?? null, total: goal.total ?? null, pacing: goal.pacing } : null;
      if (tags) current.tags = { genres: tags.genres ?? [], artists: tags.artists ?? [], languages: tags.languages ?? [] };
      if (current.status === 'active') await assertServable(this.repo, current, creatives, m);
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
      if (status === 'active') await assertServable(this.repo, current, creatives, m);
      const keys = await slotKeyMap(this.repo, m);
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
}
