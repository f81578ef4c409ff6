import type { Branch } from '../../engine/policy/snapshot';
import type { CampaignEntity, CreativeEntity, DeliveryPolicyEntity, SlotEntity } from './catalog.entities';

export function slotView(slot: SlotEntity) {
  return {
    id: slot.id,
    key: slot.key,
    name: slot.name,
    format: slot.format,
    platforms: slot.platforms,
    maxAdsPerResponse: slot.maxAdsPerResponse,
    adLoadCap: slot.adLoadCap,
    version: slot.version,
    createdAt: slot.createdAt.toISOString(),
    updatedAt: slot.updatedAt.toISOString(),
  };
}
export type SlotView = ReturnType<typeof slotView>;

export function creativeView(creative: CreativeEntity) {
  return {
    id: creative.id,
    campaignId: creative.campaignId,
    type: creative.type,
    formats: creative.formats,
    title: creative.title,
    assetUrl: creative.assetUrl,
    landingUrl: creative.landingUrl,
    weight: creative.weight,
    version: creative.version,
  };
}
export type CreativeView = ReturnType<typeof creativeView>;

export function campaignView(campaign: CampaignEntity, creatives: readonly CreativeEntity[], slotKeys: ReadonlyMap<string, string>) {
  return {
    id: campaign.id,
    name: campaign.name,
    category: campaign.category,
    status: campaign.status,
    priority: campaign.priority,
    platforms: campaign.platforms,
    slotIds: campaign.slotIds,
    slots: campaign.slotIds.map((id) => slotKeys.get(id) ?? id),
    schedule: campaign.schedule,
    frequencyCaps: campaign.frequencyCaps,
    goal: campaign.goal,
    explorationBudget: campaign.explorationBudget,
    tags: campaign.tags,
    suppressOnConversion: campaign.suppressOnConversion,
    creatives: creatives.map(creativeView),
    version: campaign.version,
    createdAt: campaign.createdAt.toISOString(),
    updatedAt: campaign.updatedAt.toISOString(),
  };
}
export type CampaignView = ReturnType<typeof campaignView>;

export function policyView(policy: DeliveryPolicyEntity, slot: SlotEntity, warnings: string[]) {
  return {
    slotId: policy.slotId,
    slotKey: slot.key,
    branches: policy.branches,
    version: policy.version,
    updatedAt: policy.updatedAt.toISOString(),
    warnings,
  };
}
export type PolicyView = ReturnType<typeof policyView>;

/** How a campaign is delivered through the slot policies: one entry per branch that lists it. */
export interface DeliveryRoute {
  slotKey: string;
  branch: string;
  targeted: boolean;
  method: Branch['method'];
}

export function deliveryMode(route: DeliveryRoute): string {
  return route.targeted ? `targeted+${route.method}` : route.method;
}

export function describeStrategy(routes: readonly DeliveryRoute[]): string {
  if (routes.length === 0) return 'not in any delivery policy';
  return routes.map((r) => `${r.slotKey}/${r.branch}: ${r.targeted ? 'targeted ' : ''}${r.method}`).join('; ');
}
