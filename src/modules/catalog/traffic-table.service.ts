import { Injectable } from '@nestjs/common';
import { ProblemList } from './catalog-errors';
import type { CampaignListQueryDto } from './campaign.dto';
import { CatalogRepository } from './catalog.repository';
import { deliveryMode, describeStrategy, type DeliveryRoute } from './catalog-views';

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

/** The traffic table: every campaign with how it is delivered (strategy, slots, modes, schedule). */
@Injectable()
export class TrafficTableService {
  constructor(private readonly repo: CatalogRepository) {}


  async page(query: CampaignListQueryDto): Promise<{ items: TrafficRow[]; total: number; page: number; pageSize: number }> {
    const rows = await this.rows(query);
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    return { items: rows.slice((page - 1) * pageSize, page * pageSize), total: rows.length, page, pageSize };
  }

  async rows(query: CampaignListQueryDto): Promise<TrafficRow[]> {
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
