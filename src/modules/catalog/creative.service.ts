import { Injectable } from '@nestjs/common';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { AuditService, type Actor } from '../audit';
import { checkIfMatch, notFound } from './catalog-errors';
import type { CreateCreativeDto, UpdateCreativeDto } from './creative.dto';
import { CatalogRepository } from './catalog.repository';
import { assertServable, stripUndefined } from './catalog-rules';
import { creativeView, type CreativeView } from './catalog-views';

/** Creatives of a campaign; a change never leaves an active campaign without a creative for one of its slots. */
@Injectable()
export class CreativeService {
  constructor(
    private readonly repo: CatalogRepository,
    private readonly bus: ConfigChangeBus,
    private readonly audit: AuditService,
  ) {}


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
        await assertServable(this.repo, campaign, creatives, m);
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
        await assertServable(this.repo, campaign, rest, m);
      }
      await this.repo.deleteCreative(m, id);
      await this.audit.record(m, { entityType: 'creative', entityId: id, action: 'delete', actor, before: creativeView(current), after: null });
    });
  }
}
