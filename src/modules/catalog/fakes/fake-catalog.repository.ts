import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { CampaignEntity, CreativeEntity, DeliveryPolicyEntity, SlotEntity } from '../catalog.entities';
import { type CampaignFilter, type CatalogRepository, isUuid } from '../catalog.repository';

type PublicOf<T> = { [K in keyof T]: T[K] };

/**
 * CatalogRepository in memory, for the catalog services' unit tests. Rows are stored and handed out
 * as copies, as the database would, so a service that changes an entity it read changes nothing
 * until it saves it. Row locks are not modelled (tests run one call at a time), nor are
 * transactions: a service that throws after a write leaves that write here, which the real
 * repository would roll back.
 */
export class FakeCatalogRepository implements PublicOf<CatalogRepository> {
  readonly slots = new Map<string, SlotEntity>();
  readonly campaigns = new Map<string, CampaignEntity>();
  readonly creatives = new Map<string, CreativeEntity>();
  readonly policies = new Map<string, DeliveryPolicyEntity>();
  private clockMs = Date.UTC(2026, 0, 1);

  asRepository(): CatalogRepository {
    return this as unknown as CatalogRepository;
  }

  // Slots
  async listSlots(): Promise<SlotEntity[]> {
    return [...this.slots.values()].sort((a, b) => a.key.localeCompare(b.key)).map(copy);
  }

  async findSlot(idOrKey: string): Promise<SlotEntity | null> {
    const found = isUuid(idOrKey) ? this.slots.get(idOrKey) : [...this.slots.values()].find((s) => s.key === idOrKey);
    return found ? copy(found) : null;
  }

  async findSlotsByIdOrKey(refs: readonly string[]): Promise<SlotEntity[]> {
    return [...this.slots.values()].filter((s) => refs.includes(s.id) || refs.includes(s.key)).map(copy);
  }

  async insertSlot(_manager: EntityManager, slot: Partial<SlotEntity>): Promise<SlotEntity> {
    if ([...this.slots.values()].some((s) => s.key === slot.key)) throw new Error(`duplicate key value violates unique constraint (slot key ${slot.key})`);
    return this.store(this.slots, Object.assign(new SlotEntity(), slot, this.created()));
  }

  async saveSlot(_manager: EntityManager, slot: SlotEntity): Promise<SlotEntity> {
    return this.store(this.slots, slot);
  }

  async deleteSlot(_manager: EntityManager, id: string): Promise<void> {
    this.slots.delete(id);
  }

  // Campaigns
  async listCampaigns(filter: CampaignFilter): Promise<CampaignEntity[]> {
    return [...this.campaigns.values()]
      .filter((c) => !filter.status || c.status === filter.status)
      .filter((c) => !filter.category || c.category === filter.category)
      .filter((c) => !filter.platform || c.platforms.includes(filter.platform as never))
      .filter((c) => !filter.slotId || c.slotIds.includes(filter.slotId))
      .filter((c) => filter.toMs === undefined || Date.parse(c.schedule.startAt) <= filter.toMs)
      .filter((c) => filter.fromMs === undefined || c.schedule.endAt === null || Date.parse(c.schedule.endAt) >= filter.fromMs)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
      .map(copy);
  }

  async listServableCampaigns(): Promise<CampaignEntity[]> {
    return [...this.campaigns.values()].filter((c) => c.status !== 'archived').map(copy);
  }

  async explorableCampaigns(): Promise<{ id: string; explorationBudget: number }[]> {
    return [...this.campaigns.values()].filter((c) => c.status === 'active' && c.explorationBudget > 0).map((c) => ({ id: c.id, explorationBudget: c.explorationBudget }));
  }

  async activeCampaignIds(): Promise<string[]> {
    return [...this.campaigns.values()].filter((c) => c.status === 'active').map((c) => c.id);
  }

  async findCampaign(id: string): Promise<CampaignEntity | null> {
    const found = this.campaigns.get(id);
    return found ? copy(found) : null;
  }

  async findCampaigns(ids: readonly string[]): Promise<CampaignEntity[]> {
    return ids.flatMap((id) => (this.campaigns.has(id) ? [copy(this.campaigns.get(id)!)] : []));
  }

  async campaignsUsingSlot(slotId: string): Promise<CampaignEntity[]> {
    return [...this.campaigns.values()].filter((c) => c.slotIds.includes(slotId) && c.status !== 'archived').map(copy);
  }

  async insertCampaign(_manager: EntityManager, campaign: Partial<CampaignEntity>): Promise<CampaignEntity> {
    return this.store(this.campaigns, Object.assign(new CampaignEntity(), campaign, this.created()));
  }

  async saveCampaign(_manager: EntityManager, campaign: CampaignEntity): Promise<CampaignEntity> {
    return this.store(this.campaigns, campaign);
  }

  // Creatives
  async listCreatives(campaignIds?: readonly string[]): Promise<CreativeEntity[]> {
    return [...this.creatives.values()]
      .filter((c) => !campaignIds || campaignIds.includes(c.campaignId))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map(copy);
  }

  async findCreative(id: string): Promise<CreativeEntity | null> {
    const found = this.creatives.get(id);
    return found ? copy(found) : null;
  }

  async insertCreative(_manager: EntityManager, creative: Partial<CreativeEntity>): Promise<CreativeEntity> {
    return this.store(this.creatives, Object.assign(new CreativeEntity(), creative, this.created()));
  }

  async saveCreative(_manager: EntityManager, creative: CreativeEntity): Promise<CreativeEntity> {
    return this.store(this.creatives, creative);
  }

  async deleteCreative(_manager: EntityManager, id: string): Promise<void> {
    this.creatives.delete(id);
  }

  // Policies
  async listPolicies(): Promise<DeliveryPolicyEntity[]> {
    return [...this.policies.values()].map(copy);
  }

  async findPolicy(slotId: string): Promise<DeliveryPolicyEntity | null> {
    const found = this.policies.get(slotId);
    return found ? copy(found) : null;
  }

  async savePolicy(_manager: EntityManager, policy: DeliveryPolicyEntity): Promise<DeliveryPolicyEntity> {
    this.policies.set(policy.slotId, copy(Object.assign(new DeliveryPolicyEntity(), policy)));
    return copy(this.policies.get(policy.slotId)!);
  }

  async deletePolicy(_manager: EntityManager, slotId: string): Promise<void> {
    this.policies.delete(slotId);
  }

  async policiesUsingPackage(key: string): Promise<{ slotKey: string; branches: string[] }[]> {
    const mentions = (node: unknown): boolean =>
      node !== null && typeof node === 'object' && (('package' in node && (node as { package: unknown }).package === key) || Object.values(node).some(mentions));
    return [...this.policies.values()]
      .filter((p) => p.branches.some((b) => mentions(b.audience)))
      .map((p) => ({ slotKey: this.slots.get(p.slotId)?.key ?? p.slotId, branches: p.branches.filter((b) => mentions(b.audience)).map((b) => b.name) }))
      .sort((a, b) => a.slotKey.localeCompare(b.slotKey));
  }

  private created(): { id: string; version: number; createdAt: Date; updatedAt: Date } {
    this.clockMs += 1000;
    return { id: randomUUID(), version: 1, createdAt: new Date(this.clockMs), updatedAt: new Date(this.clockMs) };
  }

  private store<T extends { id: string }>(table: Map<string, T>, row: T): T {
    table.set(row.id, copy(row));
    return copy(row);
  }
}

function copy<T extends object>(row: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(row)) as T, structuredClone({ ...row }));
}
