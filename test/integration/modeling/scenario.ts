import { createRng } from '../../../src/engine/util/rng';
import { eventually } from '../../support/job-driver.contract';
import { expectOk } from '../../support/seed-ads';
import { http } from '../../support/test-app';

/**
 * The "new ad" story shared by the embedded e2e test and the production integration test: a new
 * campaign with an exploration budget, alone in a `model` branch naming the model its modeling
 * runs will produce, gets traffic through HTTP (decisions, impression and click links). Listeners
 * with vipLevel ≥ 4 click far more often, so a model can learn something.
 */
export const LISTENERS = 300;
// Exploration gets ~10% of the 300 decisions (Binomial mean 30, sd 5): 12 is spent with near certainty.
export const EXPLORATION_BUDGET = 12;

export interface Keys {
  admin: string;
  client: string;
  viewer: string;
  operator: string;
}

export async function createKeys(url: string, admin: string): Promise<Keys> {
  const make = async (role: string) => (await expectOk(http(url, 'POST', '/v1/api-keys', { key: admin, body: { name: role, role } }))).key as string;
  return { admin, client: await make('slot-client'), viewer: await make('viewer'), operator: await make('operator') };
}

export function listenerProfile(i: number): Record<string, unknown> {
  return {
    userId: `listener-${i}`,
    gender: i % 3 === 0 ? 'female' : 'male',
    vipLevel: i % 8,
    monthlyMinutes: 50 + ((i * 37) % 900),
    genres: i % 2 === 0 ? ['rock', 'indie'] : ['pop'],
  };
}

/** Whether listener i clicks (deterministic): ~55% for vipLevel ≥ 4, ~5% otherwise. */
export function clicks(i: number, rng: ReturnType<typeof createRng>): boolean {
  return rng.next() < (i % 8 >= 4 ? 0.55 : 0.05);
}

export interface NewCampaign {
  campaignId: string;
  modelId: string;
  slotKey: string;
}

export async function createNewCampaign(url: string, keys: Keys): Promise<NewCampaign> {
  const ndjson = Array.from({ length: LISTENERS }, (_, i) => JSON.stringify(listenerProfile(i))).join('\n') + '\n';
  await expectOk(http(url, 'POST', '/v1/profiles/import', { key: keys.admin, rawBody: ndjson, headers: { 'content-type': 'application/x-ndjson' } }));
  const slot = await expectOk(
    http(url, 'POST', '/v1/slots', { key: keys.admin, body: { key: 'home-feed', name: 'Home feed', format: 'feed', platforms: ['ios', 'android'], maxAdsPerResponse: 1, adLoadCap: null } }),
  );
  const campaign = await expectOk(
    http(url, 'POST', '/v1/campaigns', {
      key: keys.admin,
      body: {
        name: 'New single pre-save',
        category: 'digital_album',
        priority: 50,
        platforms: ['ios', 'android'],
        slots: [slot.key],
        schedule: { startAt: '2026-01-01T00:00:00Z', endAt: null, timeZone: 'UTC' },
        explorationBudget: EXPLORATION_BUDGET,
      },
    }),
  );
  await expectOk(
    http(url, 'POST', `/v1/campaigns/${campaign.id}/creatives`, {
      key: keys.admin,
      body: { type: 'image', formats: ['feed'], title: 'Pre-save now', landingUrl: 'https://music.example.com/presave', assetUrl: null, weight: 1 },
    }),
  );
  await expectOk(http(url, 'POST', `/v1/campaigns/${campaign.id}/status`, { key: keys.admin, body: { status: 'active' }, headers: { 'if-match': `"${campaign.version}"` } }));
  const modelId = `gbdt-${campaign.id}`;
  await expectOk(
    http(url, 'PUT', `/v1/slots/${slot.key}/policy`, {
      key: keys.admin,
      body: { branches: [{ name: 'everyone by model', audience: 'everyone', campaignIds: [campaign.id], method: 'model', modelId }] },
    }),
  );
  return { campaignId: campaign.id, modelId, slotKey: slot.key };
}

export interface DecisionBody {
  ads: { campaignId: string; explored: boolean; trackingUrls: Record<'impression' | 'click', string> }[];
  fallback: { to: string; reason: string } | null;
}

export const decide = async (url: string, keys: Keys, slotKey: string, i: number): Promise<DecisionBody> =>
  expectOk(http(url, 'POST', '/v1/decisions', { key: keys.client, body: { slotId: slotKey, userId: `listener-${i}`, platform: i % 2 ? 'ios' : 'android', context: { network: i % 3 ? 'wifi' : '4g' } } }));

const pathOf = (link: string) => {
  const u = new URL(link);
  return `${u.pathname}${u.search}`;
};

/**
 * Serves every listener once: impression for every ad, click for those who click. Returns what
 * happened; before a model exists, every decision of the model branch falls back to priority.
 */
export async function driveTraffic(url: string, keys: Keys, campaign: NewCampaign): Promise<{ served: number; explored: number; clicked: number; fallbacks: number }> {
  // Wait until the new policy is in the decision snapshot.
  await eventually(async () => ((await decide(url, keys, campaign.slotKey, 0)).ads.length > 0 ? true : null), 20_000);
  const rng = createRng(42);
  let served = 0;
  let explored = 0;
  let clicked = 0;
  let fallbacks = 0;
  // One pass serves every listener once; exploration is random (a 10% share), so a further pass
  // runs only in the unlikely case that the first one explored less than the budget.
  for (let pass = 0; pass < 3 && (pass === 0 || explored < EXPLORATION_BUDGET); pass++) {
    for (let i = 0; i < LISTENERS; i++) {
      const decision = await decide(url, keys, campaign.slotKey, i);
      if (decision.fallback) fallbacks++;
      const ad = decision.ads[0];
      const willClick = clicks(i, rng);
      if (!ad) continue;
      served++;
      if (ad.explored) explored++;
      expect((await http(url, 'GET', pathOf(ad.trackingUrls.impression))).status).toBeLessThan(300);
      if (willClick) {
        expect((await http(url, 'GET', pathOf(ad.trackingUrls.click))).status).toBe(302);
        clicked++;
      }
    }
  }
  return { served, explored, clicked, fallbacks };
}

export interface RunView {
  runId: string;
  status: string;
  trigger: string;
  stage: string | null;
  error: string | null;
  modelVersion: number | null;
  promoted: boolean | null;
  stagesDone: string[];
}

export async function waitForRun(url: string, keys: Keys, campaignId: string, trigger: string, timeoutMs = 60_000): Promise<RunView> {
  return eventually(
    async () => {
      const { runs } = await expectOk<{ runs: RunView[] }>(http(url, 'GET', `/v1/modeling/runs?campaignId=${campaignId}`, { key: keys.viewer }));
      const run = runs.find((r) => r.trigger === trigger);
      if (run?.status === 'failed') throw new Error(`run failed at ${run.stage}: ${run.error}`);
      return run?.status === 'succeeded' ? run : null;
    },
    timeoutMs,
    200,
  );
}
