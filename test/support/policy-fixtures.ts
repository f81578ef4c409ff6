import { buildDecisionSnapshot, type Branch, type Campaign, type DecisionSnapshot, type DeliveryPolicy, type Slot } from '../../src/engine/policy/snapshot';

// Builders for engine tests and simulators: minimal valid rows with overrides.

/** A banner slot 'slot-1' (key 'home-banner') on ios/android, up to 3 ads, no ad-load cap. */
export function makeSlot(overrides: Partial<Slot> = {}): Slot {
  return {
    id: 'slot-1',
    key: 'home-banner',
    name: 'Home banner',
    format: 'banner',
    platforms: ['ios', 'android'],
    maxAdsPerResponse: 3,
    adLoadCap: null,
    ...overrides,
  };
}

/** An active, always-on (UTC, from 2026-01-01) campaign in slot-1 with one banner/popup creative of weight 1. */
export function makeCampaign(id: string, overrides: Partial<Campaign> = {}): Campaign {
  return {
    id,
    name: `Campaign ${id}`,
    category: 'digital_album',
    status: 'active',
    priority: 50,
    platforms: ['ios', 'android'],
    slotIds: ['slot-1'],
    schedule: { startAt: '2026-01-01T00:00:00Z', endAt: null, timeZone: 'UTC', dayParting: null },
    frequencyCaps: [],
    goal: null,
    explorationBudget: 0,
    tags: { genres: [], artists: [], languages: [] },
    suppressOnConversion: false,
    creatives: [
      { id: `${id}-cr1`, campaignId: id, type: 'image', formats: ['banner', 'popup'], title: 't', assetUrl: null, landingUrl: 'https://x.test', weight: 1 },
    ],
    ...overrides,
  };
}

/** A priority branch for everyone. */
export function makeBranch(name: string, campaignIds: string[], overrides: Partial<Branch> = {}): Branch {
  return { name, audience: 'everyone', campaignIds, method: 'priority', modelId: null, arms: null, ...overrides };
}

/** Snapshot 'v1' with one slot and one policy made of the given branches. */
export function makeSnapshot(campaigns: Campaign[], branches: Branch[], slot: Slot = makeSlot(), adLoadTimeZone = 'UTC'): DecisionSnapshot {
  const policies: DeliveryPolicy[] = [{ slotId: slot.id, branches }];
  return buildDecisionSnapshot({ version: 'v1', slots: [slot], campaigns, policies, adLoadTimeZone }).snapshot;
}
