import type { EntityManager } from 'typeorm';
import { findShadowedBranches } from '../../engine/policy/audience-expr';
import { isValidTimeZone } from '../../engine/policy/local-time';
import type { Branch, CampaignStatus, DeliveryPolicy } from '../../engine/policy/snapshot';
import { conflict, ProblemList } from './catalog-errors';
import type { ScheduleDto } from './campaign.dto';
import type { CampaignEntity, CreativeEntity, SlotEntity } from './catalog.entities';
import type { CatalogRepository } from './catalog.repository';

/** draft → active ⇄ paused → ended; archived from draft, paused or ended. */
export const TRANSITIONS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ['active', 'archived'],
  active: ['paused', 'ended'],
  paused: ['active', 'ended', 'archived'],
  ended: ['archived'],
  archived: [],
};

/** An active campaign needs, for each of its slots, a creative of that slot's format. */
export async function assertServable(repo: CatalogRepository, campaign: CampaignEntity, creatives: readonly CreativeEntity[], m: EntityManager): Promise<void> {
  const slots = await repo.findSlotsByIdOrKey(campaign.slotIds, m);
  const missing = slots.filter((slot) => !creatives.some((c) => c.formats.includes(slot.format)));
  if (missing.length > 0) {
    throw conflict(`campaign ${campaign.name} cannot be active without a creative for every slot format`, [
      { field: 'creatives', problems: missing.map((s) => `no creative fits slot ${s.key} (format ${s.format})`) },
    ]);
  }
}

/** The slots a campaign names, by id or key; each unknown one is a problem at `slots.<i>`. */
export async function resolveSlots(repo: CatalogRepository, refs: readonly string[], problems: ProblemList, manager: EntityManager): Promise<SlotEntity[]> {
  const found = await repo.findSlotsByIdOrKey(refs, manager);
  const slots: SlotEntity[] = [];
  refs.forEach((ref, i) => {
    const slot = found.find((s) => s.id === ref || s.key === ref);
    if (!slot) problems.add(`slots.${i}`, `unknown slot "${ref}"`);
    else slots.push(slot);
  });
  return slots;
}

export async function slotKeyMap(repo: CatalogRepository, manager?: EntityManager): Promise<Map<string, string>> {
  return new Map((await repo.listSlots(manager)).map((s) => [s.id, s.key]));
}

export function validateSchedule(schedule: ScheduleDto, problems: ProblemList): void {
  if (!isValidTimeZone(schedule.timeZone)) problems.add('schedule.timeZone', `unknown IANA time zone "${schedule.timeZone}"`);
  if (schedule.endAt && Date.parse(schedule.endAt) <= Date.parse(schedule.startAt)) problems.add('schedule.endAt', 'must be after startAt');
  schedule.dayParting?.forEach((part, i) => {
    if (part.endHour <= part.startHour) problems.add(`schedule.dayParting.${i}.endHour`, 'must be after startHour (write overnight spans as two parts)');
  });
}

export function validateGoal(goal: { daily?: number | null; total?: number | null } | null, problems: ProblemList): void {
  if (!goal) return;
  if (goal.daily == null && goal.total == null) problems.add('goal', 'a goal needs daily, total or both');
  if (goal.daily != null && goal.total != null && goal.daily > goal.total) problems.add('goal.daily', 'must not exceed total');
}

export function normalizeSchedule(s: ScheduleDto) {
  return {
    startAt: new Date(s.startAt).toISOString(),
    endAt: s.endAt ? new Date(s.endAt).toISOString() : null,
    timeZone: s.timeZone,
    dayParting: s.dayParting ? s.dayParting.map((p) => ({ days: p.days, startHour: p.startHour, endHour: p.endHour })) : null,
  };
}

export function shadowWarnings(policy: { slotId: string; branches: Branch[] }): string[] {
  return findShadowedBranches(policy as DeliveryPolicy).map((w) => w.message);
}

export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
