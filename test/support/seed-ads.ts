import { http } from './test-app';

/**
 * The seed's six example ads (A–F) on phone-desktop slots, created through the real API.
 * Platforms: the seed's QQ client is the desktop (`pc`) app; iPhone is `ios`; Android is `android`.
 */
export interface SeededAds {
  slots: Record<'splash' | 'banner' | 'popup', { id: string; key: string }>;
  ads: Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F', { id: string; version: number }>;
}

export async function expectOk<T = any>(promise: Promise<{ status: number; body: T; text: string }>, expected = [200, 201]): Promise<T> {
  const result = await promise;
  if (!expected.includes(result.status)) throw new Error(`unexpected ${result.status}: ${result.text}`);
  return result.body;
}

export async function createSeedAds(url: string, key: string, options: { activate?: boolean } = {}): Promise<SeededAds> {
  const slotSpecs = {
    splash: { key: 'phone-desktop-splash', name: 'Phone desktop splash', format: 'splash', platforms: ['ios', 'android'], maxAdsPerResponse: 1, adLoadCap: { impressions: 2, window: 'day' } },
    banner: { key: 'phone-desktop-banner', name: 'Phone desktop banner', format: 'banner', platforms: ['ios', 'android', 'pc'], maxAdsPerResponse: 2, adLoadCap: { impressions: 4, window: 'hour' } },
    popup: { key: 'qq-desktop-popup', name: 'QQ desktop pop-up', format: 'popup', platforms: ['pc', 'ios', 'android'], maxAdsPerResponse: 1, adLoadCap: null },
  } as const;
  const slots = {} as SeededAds['slots'];
  for (const [name, spec] of Object.entries(slotSpecs)) {
    const body = await expectOk(http(url, 'POST', '/v1/slots', { key, body: spec }));
    slots[name as keyof SeededAds['slots']] = { id: body.id, key: body.key };
  }
  const schedule = { startAt: '2026-01-01T00:00:00+08:00', endAt: '2027-12-31T23:59:59+08:00', timeZone: 'Asia/Shanghai' };
  const adSpecs = {
    A: { name: 'A: Jay Chou new album pre-sale', category: 'digital_album', priority: 90, platforms: ['ios', 'android', 'pc'], slots: [slots.splash.key, slots.popup.key], tags: { genres: ['mandopop'], artists: ['Jay Chou'], languages: ['zh'] } },
    B: { name: 'B: Green-diamond VIP month', category: 'membership', priority: 70, platforms: ['ios', 'android', 'pc'], slots: [slots.banner.key, slots.popup.key], goal: { metric: 'conversions', daily: 500, total: null, pacing: 'even' } },
    C: { name: 'C: Lossless paid package', category: 'paid_package', priority: 60, platforms: ['ios', 'android', 'pc'], slots: [slots.banner.key, slots.popup.key] },
    D: { name: 'D: Concert tickets partner', category: 'partner', priority: 50, platforms: ['ios', 'android'], slots: [slots.banner.key], frequencyCaps: [{ impressions: 3, window: 'day' }] },
    E: { name: 'E: K-pop digital single', category: 'digital_album', priority: 50, platforms: ['ios', 'android'], slots: [slots.banner.key], tags: { genres: ['kpop'], artists: [], languages: ['ko'] } },
    F: { name: 'F: Car audio partner', category: 'partner', priority: 30, platforms: ['pc', 'android'], slots: [slots.popup.key], schedule: { ...schedule, dayParting: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], startHour: 7, endHour: 10 }] } },
  } as const;
  const formatsOf = (slotKeys: readonly string[]) =>
    slotKeys.map((k) => Object.values(slotSpecs).find((s) => s.key === k)!.format);
  const ads = {} as SeededAds['ads'];
  for (const [letter, spec] of Object.entries(adSpecs)) {
    // No exploration budget: these tests check deterministic priority order, and a 10% exploration
    // share would reorder candidates at random. Exploration has its own tests (feedback, modeling).
    const created = await expectOk(http(url, 'POST', '/v1/campaigns', { key, body: { schedule, explorationBudget: 0, ...spec } }));
    await expectOk(
      http(url, 'POST', `/v1/campaigns/${created.id}/creatives`, {
        key,
        body: { type: 'image', formats: formatsOf(spec.slots), title: `${letter} creative`, landingUrl: `https://music.example.com/promo/${letter}`, assetUrl: `https://cdn.example.com/${letter}.jpg`, weight: 1 },
      }),
    );
    let version = created.version;
    if (options.activate !== false) {
      const active = await expectOk(http(url, 'POST', `/v1/campaigns/${created.id}/status`, { key, body: { status: 'active' }, headers: { 'if-match': `"${version}"` } }));
      version = active.version;
    }
    ads[letter as keyof SeededAds['ads']] = { id: created.id, version };
  }
  return { slots, ads };
}

/** An (empty) uploaded user package, through the audiences API. */
export async function createUploadPackage(url: string, key: string, packageKey: string, userKeys: string[] = []): Promise<void> {
  await expectOk(http(url, 'POST', '/v1/packages', { key, body: { key: packageKey, name: packageKey, kind: 'upload' } }));
  if (userKeys.length) {
    await expectOk(http(url, 'PUT', `/v1/packages/${packageKey}/members?partial=true`, { key, rawBody: userKeys.join('\n') + '\n', headers: { 'content-type': 'text/plain' } }));
  }
}

/** The three policy combinations the business runs. */
export function threePolicies(seed: SeededAds) {
  const { ads } = seed;
  return {
    // 1. targeted listeners get one designated ad
    splash: { branches: [{ name: 'vip designated', audience: { package: 'vip-2024' }, campaignIds: [ads.A.id], method: 'designated' }] },
    // 2. targeted listeners get several ads ranked by a model; everyone else by priority
    banner: {
      branches: [
        { name: 'vip not paid, model', audience: { and: [{ package: 'vip-2024' }, { not: { package: 'paid-users' } }] }, campaignIds: [ads.B.id, ads.C.id], method: 'model', modelId: 'ftrl-main' },
        { name: 'everyone by priority', audience: 'everyone', campaignIds: [ads.D.id, ads.E.id], method: 'priority' },
      ],
    },
    // 3. targeted listeners get one designated ad; everyone else several ads ranked by a model
    popup: {
      branches: [
        { name: 'vip designated', audience: { package: 'vip-2024' }, campaignIds: [ads.A.id], method: 'designated' },
        { name: 'everyone by model', audience: 'everyone', campaignIds: [ads.B.id, ads.C.id, ads.F.id], method: 'model', modelId: 'ftrl-main' },
      ],
    },
  };
}
