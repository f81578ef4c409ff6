import { Injectable } from '@nestjs/common';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { AuditService, type Actor } from '../audit';
import { checkIfMatch, conflict, notFound } from './catalog-errors';
import type { CreateSlotDto, UpdateSlotDto } from './slot.dto';
import { CatalogRepository } from './catalog.repository';
import { stripUndefined } from './catalog-rules';
import { slotView, type SlotView } from './catalog-views';

/** Ad slots: where the app shows ads, their formats, platforms and ad-load caps. */
@Injectable()
export class SlotService {
  constructor(
    private readonly repo: CatalogRepository,
    private readonly bus: ConfigChangeBus,
    private readonly audit: AuditService,
  ) {}


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
}
