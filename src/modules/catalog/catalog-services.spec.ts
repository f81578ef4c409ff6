import { HttpException } from '@nestjs/common';
import { FakeConfigChangeBus } from '../../platform/config-bus/fake-config-change-bus';
import { PackagePolicyUses, type PackageRepository } from '../audiences';
import { FakeAuditLog } from '../audit/fakes/fake-audit-log';
import { CampaignService } from './campaign.service';
import type { CreateCampaignDto } from './campaign.dto';
import { CreativeService } from './creative.service';
import { FakeCatalogRepository } from './fakes/fake-catalog.repository';
import type { PutPolicyDto } from './policy.dto';
import { PolicyService } from './policy.service';
import type { CreateSlotDto } from './slot.dto';
import { SlotService } from './slot.service';
import { TrafficTableService } from './traffic-table.service';

const ACTOR = { id: 'key-1', name: 'ops' };

/** The catalog services over in-memory fakes: no database, so each case runs in milliseconds. */
function world(packageKeys: string[] = ['vip']) {
  const repo = new FakeCatalogRepository();
  const bus = new FakeConfigChangeBus();
  const audit = new FakeAuditLog();
  const packages = { findManyByKeys: async (keys: readonly string[]) => packageKeys.filter((k) => keys.includes(k)).map((key) => ({ key })) } as unknown as PackageRepository;
  const policyUses = new PackagePolicyUses();
  const policies = new PolicyService(repo.asRepository(), bus.asBus(), audit.asService(), packages, policyUses);
  policies.onModuleInit();
  return {
    repo,
    bus,
    audit,
    policyUses,
    slots: new SlotService(repo.asRepository(), bus.asBus(), audit.asService()),
    campaigns: new CampaignService(repo.asRepository(), bus.asBus(), audit.asService()),
    creatives: new CreativeService(repo.asRepository(), bus.asBus(), audit.asService()),
    policies,
    traffic: new TrafficTableService(repo.asRepository()),
  };
}

const SLOT: CreateSlotDto = { key: 'home-banner', name: 'Home banner', format: 'banner', platforms: ['ios', 'android'], maxAdsPerResponse: 1 } as CreateSlotDto;

function campaignDto(overrides: Partial<CreateCampaignDto> = {}): CreateCampaignDto {
  return {
    name: 'A',
    category: 'partner',
    priority: 50,
    platforms: ['ios'],
    slots: ['home-banner'],
    schedule: { startAt: '2026-01-01T00:00:00Z', endAt: null, timeZone: 'Asia/Shanghai' },
    ...overrides,
  } as CreateCampaignDto;
}

async function httpError(promise: Promise<unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpException) return { status: error.getStatus(), body: error.getResponse() as Record<string, unknown> };
    throw error;
  }
  throw new Error('expected an HTTP error');
}

const fields = (body: Record<string, unknown>) => (body.errors as { field: string }[]).map((e) => e.field);

describe('catalog services (fakes, no database)', () => {
  it('creates a slot once per key, versions each change, and audits create and update', async () => {
    const w = world();
    const slot = await w.slots.createSlot(SLOT, ACTOR);
    expect(slot).toMatchObject({ key: 'home-banner', version: 1 });
    expect((await httpError(w.slots.createSlot(SLOT, ACTOR))).status).toBe(409);
    expect((await httpError(w.slots.updateSlot('home-banner', { name: 'x' }, undefined, ACTOR))).status).toBe(428);
    expect((await httpError(w.slots.updateSlot('home-banner', { name: 'x' }, '"7"', ACTOR))).status).toBe(409);
    const updated = await w.slots.updateSlot('home-banner', { name: 'Renamed' }, '"1"', ACTOR);
    expect(updated).toMatchObject({ name: 'Renamed', version: 2 });
    expect(w.audit.entries.map((e) => `${e.entityType}:${e.action}`)).toEqual(['slot:create', 'slot:update']);
    // Each committed change moves the configuration version (the snapshot rebuilds on it).
    expect(w.bus.version).toBe(3);
  });

  it.each<[string, Partial<CreateCampaignDto>, string[]]>([
    ['an unknown time zone', { schedule: { startAt: '2026-01-01T00:00:00Z', endAt: null, timeZone: 'Mars/Olympus' } as never }, ['schedule.timeZone']],
    ['an end before the start', { schedule: { startAt: '2026-02-01T00:00:00Z', endAt: '2026-01-01T00:00:00Z', timeZone: 'UTC' } as never }, ['schedule.endAt']],
    ['a daily goal above the total', { goal: { metric: 'impressions', daily: 10, total: 5, pacing: 'even' } as never }, ['goal.daily']],
    ['a goal with neither daily nor total', { goal: { metric: 'impressions', pacing: 'even' } as never }, ['goal']],
    ['an unknown slot', { slots: ['home-banner', 'nowhere'] }, ['slots.1']],
    ['an overnight day part', { schedule: { startAt: '2026-01-01T00:00:00Z', endAt: null, timeZone: 'UTC', dayParting: [{ days: ['mon'], startHour: 22, endHour: 2 }] } as never }, ['schedule.dayParting.0.endHour']],
  ])('refuses a campaign with %s, naming the field', async (_, overrides, expected) => {
    const w = world();
    await w.slots.createSlot(SLOT, ACTOR);
    const error = await httpError(w.campaigns.createCampaign(campaignDto(overrides), ACTOR));
    expect(error.status).toBe(400);
    expect(fields(error.body)).toEqual(expected);
    expect(w.repo.campaigns.size).toBe(0);
  });

  it('walks the lifecycle: no activation without a creative for each slot format, illegal transitions refused', async () => {
    const w = world();
    await w.slots.createSlot(SLOT, ACTOR);
    const campaign = await w.campaigns.createCampaign(campaignDto({ category: 'membership' }), ACTOR);
    expect(campaign).toMatchObject({ status: 'draft', explorationBudget: 1000, suppressOnConversion: true });
    expect((await httpError(w.campaigns.changeStatus(campaign.id, 'ended', '"1"', ACTOR))).status).toBe(409);
    const unservable = await httpError(w.campaigns.changeStatus(campaign.id, 'active', '"1"', ACTOR));
    expect(unservable.status).toBe(409);
    expect(fields(unservable.body)).toEqual(['creatives']);
    const creative = await w.creatives.addCreative(campaign.id, { type: 'image', formats: ['banner'], title: 'T', landingUrl: 'https://e.example/a' } as never, ACTOR);
    const active = await w.campaigns.changeStatus(campaign.id, 'active', '"1"', ACTOR);
    expect(active).toMatchObject({ status: 'active', version: 2 });
    // The only fitting creative of an active campaign cannot go.
    expect((await httpError(w.creatives.deleteCreative(creative.id, ACTOR))).status).toBe(409);
    await w.campaigns.changeStatus(campaign.id, 'paused', '"2"', ACTOR);
    await w.creatives.deleteCreative(creative.id, ACTOR);
    expect(w.repo.creatives.size).toBe(0);
  });

  it('refuses to delete a slot that a campaign or a policy uses, naming them', async () => {
    const w = world();
    await w.slots.createSlot(SLOT, ACTOR);
    const campaign = await w.campaigns.createCampaign(campaignDto(), ACTOR);
    const refused = await httpError(w.slots.deleteSlot('home-banner', ACTOR));
    expect(refused.status).toBe(409);
    expect(refused.body.usedBy).toEqual([`campaign A (${campaign.id}, draft)`]);
  });

  it('validates a policy against the catalog and the packages, and warns about hidden branches', async () => {
    const w = world(['vip']);
    const slot = await w.slots.createSlot(SLOT, ACTOR);
    const a = await w.campaigns.createCampaign(campaignDto({ name: 'A' }), ACTOR);
    const b = await w.campaigns.createCampaign(campaignDto({ name: 'B', platforms: ['pc'] }), ACTOR);
    const bad: PutPolicyDto = {
      branches: [
        { name: 'vip', audience: { package: 'gold' }, campaignIds: [a.id, b.id], method: 'designated' },
        { name: 'bandit', audience: 'everyone', campaignIds: [a.id], method: 'bandit', arms: [{ modelId: 'm1', floor: 0.7 }, { modelId: 'm2', floor: 0.5 }] },
        { name: 'vip', audience: 'everyone', campaignIds: ['00000000-0000-4000-8000-000000000000'], method: 'model' },
      ],
    } as PutPolicyDto;
    const error = await httpError(w.policies.putPolicy('home-banner', bad, undefined, ACTOR));
    expect(error.status).toBe(400);
    expect(fields(error.body).sort()).toEqual(['branches.0.audience.package', 'branches.0.campaignIds', 'branches.0.campaignIds.1', 'branches.1.arms', 'branches.2.campaignIds.0', 'branches.2.modelId', 'branches.2.name'].sort());

    const { view, created } = await w.policies.putPolicy(
      slot.id,
      { branches: [{ name: 'everyone', audience: 'everyone', campaignIds: [a.id], method: 'priority' }, { name: 'vip', audience: { package: 'vip' }, campaignIds: [a.id], method: 'designated' }] } as PutPolicyDto,
      undefined,
      ACTOR,
    );
    expect(created).toBe(true);
    expect(view.warnings).toHaveLength(1);
    expect((await httpError(w.policies.putPolicy(slot.id, { branches: [] } as never, undefined, ACTOR))).status).toBe(428);
  });

  it('answers which policies use a package, for the audiences module to refuse its delete', async () => {
    const w = world(['vip']);
    const slot = await w.slots.createSlot(SLOT, ACTOR);
    const a = await w.campaigns.createCampaign(campaignDto(), ACTOR);
    await w.policies.putPolicy(slot.id, { branches: [{ name: 'vip only', audience: { not: { package: 'vip' } }, campaignIds: [a.id], method: 'priority' }] } as PutPolicyDto, undefined, ACTOR);
    expect(await w.policyUses.find('vip', w.bus.manager)).toEqual([{ slotKey: 'home-banner', branches: ['vip only'] }]);
    expect(await w.policyUses.find('other', w.bus.manager)).toEqual([]);
  });

  it('lists the traffic table with each campaign’s delivery strategy, filtered by mode', async () => {
    const w = world(['vip']);
    const slot = await w.slots.createSlot(SLOT, ACTOR);
    const a = await w.campaigns.createCampaign(campaignDto({ name: 'A' }), ACTOR);
    const b = await w.campaigns.createCampaign(campaignDto({ name: 'B' }), ACTOR);
    await w.policies.putPolicy(slot.id, { branches: [{ name: 'vip', audience: { package: 'vip' }, campaignIds: [a.id], method: 'designated' }] } as PutPolicyDto, undefined, ACTOR);
    const all = await w.traffic.page({});
    expect(all.items.map((r) => [r.name, r.deliveryModes])).toEqual([
      ['A', ['targeted+designated']],
      ['B', []],
    ]);
    expect((await w.traffic.rows({ mode: 'none' })).map((r) => r.id)).toEqual([b.id]);
    expect((await w.traffic.rows({ mode: 'targeted' })).map((r) => r.id)).toEqual([a.id]);
  });
});
