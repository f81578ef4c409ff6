import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { DatabaseService } from '../../platform/database/database.service';
import { DATABASE } from '../../platform/tokens';
import { CampaignEntity, CreativeEntity, DeliveryPolicyEntity, SlotEntity } from './catalog.entities';

export interface CampaignFilter {
  status?: string;
  slotId?: string;
  platform?: string;
  category?: string;
  fromMs?: number;
  toMs?: number;
}

/** The only place the configuration tables are queried. Writers pass the transaction's manager. */
@Injectable()
export class CatalogRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseService) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.database.dataSource.manager;
  }

  // Slots
  listSlots(manager?: EntityManager): Promise<SlotEntity[]> {
    return this.manager(manager).find(SlotEntity, { order: { key: 'ASC' } });
  }

  /** By id (uuid) or key. */
  findSlot(idOrKey: string, manager?: EntityManager, lock = false): Promise<SlotEntity | null> {
    const where = isUuid(idOrKey) ? { id: idOrKey } : { key: idOrKey };
    return this.manager(manager).findOne(SlotEntity, { where, lock: lock ? { mode: 'pessimistic_write' } : undefined });
  }

  findSlotsByIdOrKey(refs: readonly string[], manager?: EntityManager): Promise<SlotEntity[]> {
    const ids = refs.filter(isUuid);
    const keys = refs.filter((r) => !isUuid(r));
    return this.manager(manager)
      .createQueryBuilder(SlotEntity, 's')
      .where('s.id = ANY(:ids) OR s.key = ANY(:keys)', { ids: ids.length ? ids : ['00000000-0000-0000-0000-000000000000'], keys })
      .getMany();
  }

  insertSlot(manager: EntityManager, slot: Partial<SlotEntity>): Promise<SlotEntity> {
    const now = new Date();
    return manager.save(SlotEntity, manager.create(SlotEntity, { ...slot, version: 1, createdAt: now, updatedAt: now }));
  }

  saveSlot(manager: EntityManager, slot: SlotEntity): Promise<SlotEntity> {
    return manager.save(SlotEntity, slot);
  }

  async deleteSlot(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(SlotEntity, { id });
  }

  // Campaigns
  listCampaigns(filter: CampaignFilter, manager?: EntityManager): Promise<CampaignEntity[]> {
    const q = this.manager(manager).createQueryBuilder(CampaignEntity, 'c').orderBy('c.created_at', 'ASC').addOrderBy('c.id', 'ASC');
    if (filter.status) q.andWhere('c.status = :status', { status: filter.status });
    if (filter.category) q.andWhere('c.category = :category', { category: filter.category });
    if (filter.platform) q.andWhere(':platform = ANY(c.platforms)', { platform: filter.platform });
    if (filter.slotId) q.andWhere(':slotId = ANY(c.slot_ids)', { slotId: filter.slotId });
    // Overlap of [startAt, endAt) with [from, to].
    if (filter.toMs !== undefined) q.andWhere("(c.schedule->>'startAt')::timestamptz <= :to", { to: new Date(filter.toMs).toISOString() });
    if (filter.fromMs !== undefined) {
      q.andWhere("(c.schedule->>'endAt' IS NULL OR (c.schedule->>'endAt')::timestamptz >= :from)", { from: new Date(filter.fromMs).toISOString() });
    }
    return q.getMany();
  }

  listServableCampaigns(manager?: EntityManager): Promise<CampaignEntity[]> {
    return this.manager(manager).createQueryBuilder(CampaignEntity, 'c').where("c.status <> 'archived'").getMany();
  }

  /** Active campaigns with exploration budget left to spend (what the modeling check watches). */
  async explorableCampaigns(manager?: EntityManager): Promise<{ id: string; explorationBudget: number }[]> {
    const rows = await this.manager(manager).find(CampaignEntity, { where: { status: 'active' }, select: { id: true, explorationBudget: true } });
    return rows.filter((c) => c.explorationBudget > 0).map((c) => ({ id: c.id, explorationBudget: c.explorationBudget }));
  }

  async activeCampaignIds(manager?: EntityManager): Promise<string[]> {
    return (await this.manager(manager).find(CampaignEntity, { where: { status: 'active' }, select: { id: true } })).map((c) => c.id);
  }

  findCampaign(id: string, manager?: EntityManager, lock = false): Promise<CampaignEntity | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.manager(manager).findOne(CampaignEntity, { where: { id }, lock: lock ? { mode: 'pessimistic_write' } : undefined });
  }

  findCampaigns(ids: readonly string[], manager?: EntityManager): Promise<CampaignEntity[]> {
    const valid = ids.filter(isUuid);
    return valid.length ? this.manager(manager).find(CampaignEntity, { where: { id: In(valid) } }) : Promise.resolve([]);
  }

  campaignsUsingSlot(slotId: string, manager?: EntityManager): Promise<CampaignEntity[]> {
    return this.manager(manager).createQueryBuilder(CampaignEntity, 'c').where(":slotId = ANY(c.slot_ids) AND c.status <> 'archived'", { slotId }).getMany();
  }

  insertCampaign(manager: EntityManager, campaign: Partial<CampaignEntity>): Promise<CampaignEntity> {
    const now = new Date();
    return manager.save(CampaignEntity, manager.create(CampaignEntity, { ...campaign, version: 1, createdAt: now, updatedAt: now }));
  }

  saveCampaign(manager: EntityManager, campaign: CampaignEntity): Promise<CampaignEntity> {
    return manager.save(CampaignEntity, campaign);
  }

  // Creatives
  listCreatives(campaignIds?: readonly string[], manager?: EntityManager): Promise<CreativeEntity[]> {
    const where = campaignIds ? { campaignId: In(campaignIds.filter(isUuid)) } : {};
    return this.manager(manager).find(CreativeEntity, { where, order: { createdAt: 'ASC' } });
  }

  findCreative(id: string, manager?: EntityManager, lock = false): Promise<CreativeEntity | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.manager(manager).findOne(CreativeEntity, { where: { id }, lock: lock ? { mode: 'pessimistic_write' } : undefined });
  }

  insertCreative(manager: EntityManager, creative: Partial<CreativeEntity>): Promise<CreativeEntity> {
    const now = new Date();
    return manager.save(CreativeEntity, manager.create(CreativeEntity, { ...creative, version: 1, createdAt: now, updatedAt: now }));
  }

  saveCreative(manager: EntityManager, creative: CreativeEntity): Promise<CreativeEntity> {
    return manager.save(CreativeEntity, creative);
  }

  async deleteCreative(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(CreativeEntity, { id });
  }

  // Policies
  listPolicies(manager?: EntityManager): Promise<DeliveryPolicyEntity[]> {
    return this.manager(manager).find(DeliveryPolicyEntity);
  }

  findPolicy(slotId: string, manager?: EntityManager, lock = false): Promise<DeliveryPolicyEntity | null> {
    return this.manager(manager).findOne(DeliveryPolicyEntity, { where: { slotId }, lock: lock ? { mode: 'pessimistic_write' } : undefined });
  }

  savePolicy(manager: EntityManager, policy: DeliveryPolicyEntity): Promise<DeliveryPolicyEntity> {
    return manager.save(DeliveryPolicyEntity, policy);
  }

  async deletePolicy(manager: EntityManager, slotId: string): Promise<void> {
    await manager.delete(DeliveryPolicyEntity, { slotId });
  }

  /** Delivery policies whose branch audiences mention the package, at any depth: slot key and branch names. */
  async policiesUsingPackage(key: string, manager?: EntityManager): Promise<{ slotKey: string; branches: string[] }[]> {
    const rows: { slot_key: string; branch_names: string[] | null }[] = await this.manager(manager).query(
      `SELECT s.key AS slot_key,
              ARRAY(SELECT b->>'name' FROM jsonb_array_elements(p.branches) b
                     WHERE jsonb_path_exists(b, 'strict $.audience.**.package ? (@ == $k)', jsonb_build_object('k', $1::text))) AS branch_names
         FROM delivery_policies p JOIN slots s ON s.id = p.slot_id
        WHERE jsonb_path_exists(p.branches, 'strict $.**.package ? (@ == $k)', jsonb_build_object('k', $1::text))
        ORDER BY s.key`,
      [key],
    );
    return rows.map((r) => ({ slotKey: r.slot_key, branches: r.branch_names ?? [] }));
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}
