import { createRng, normal, type Rng } from '../../engine/util/rng';
import type { ListenerProfile } from '../../engine/targeting/profile-schema';
import type { AudienceExpr, CampaignCategory, Platform, SlotFormat } from '../../engine/policy/snapshot';

/**
 * The demo data set: the seed's six ads A–F on slots of every format, the three policy
 * combinations, user packages, and a deterministic generator of synthetic listeners with music
 * tastes. Everything here is data; DemoSeedService writes it through the real services.
 */

export const DEMO_APP_KEY_NAME = 'demo app';
export const DEMO_PROFILE_COUNT = 100_000;
export const DEMO_SEED = 20_261_128;

export type DemoSlotName = 'splash' | 'banner' | 'popup' | 'audio' | 'feed';

export interface DemoSlot {
  key: string;
  name: string;
  format: SlotFormat;
  platforms: Platform[];
  maxAdsPerResponse: number;
  adLoadCap: { impressions: number; window: 'minute' | 'hour' | 'day' | 'week' | 'lifetime' } | null;
}

export const DEMO_SLOTS: Record<DemoSlotName, DemoSlot> = {
  splash: { key: 'phone-desktop-splash', name: 'Phone desktop splash', format: 'splash', platforms: ['ios', 'android'], maxAdsPerResponse: 1, adLoadCap: { impressions: 2, window: 'day' } },
  banner: { key: 'phone-desktop-banner', name: 'Phone desktop banner', format: 'banner', platforms: ['ios', 'android', 'pc'], maxAdsPerResponse: 2, adLoadCap: { impressions: 4, window: 'hour' } },
  popup: { key: 'qq-desktop-popup', name: 'QQ desktop pop-up', format: 'popup', platforms: ['pc', 'ios', 'android'], maxAdsPerResponse: 1, adLoadCap: null },
  audio: { key: 'player-audio-break', name: 'Player audio break', format: 'audio', platforms: ['ios', 'android', 'car', 'speaker'], maxAdsPerResponse: 1, adLoadCap: { impressions: 3, window: 'hour' } },
  feed: { key: 'discover-feed', name: 'Discover feed card', format: 'feed', platforms: ['ios', 'android', 'pc', 'h5'], maxAdsPerResponse: 3, adLoadCap: null },
};

/** The slot whose key the boot message prints: its everyone-branch serves any listener. */
export const DEMO_SLOT_NAME: DemoSlotName = 'banner';

export type DemoAdLetter = 'A' | 'B' | 'C' | 'D' | 'E' | 'F';

export interface DemoAd {
  name: string;
  category: CampaignCategory;
  priority: number;
  platforms: Platform[];
  slots: DemoSlotName[];
  tags?: { genres: string[]; artists: string[]; languages: string[] };
  goal?: { metric: 'impressions' | 'clicks' | 'conversions'; daily: number | null; total: number | null; pacing: 'even' | 'asap' };
  frequencyCaps?: { impressions: number; window: 'minute' | 'hour' | 'day' | 'week' | 'lifetime' }[];
  dayParting?: { days: ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[]; startHour: number; endHour: number }[];
}

export const DEMO_SCHEDULE = { startAt: '2026-01-01T00:00:00+08:00', endAt: null, timeZone: 'Asia/Shanghai' };

export const DEMO_ADS: Record<DemoAdLetter, DemoAd> = {
  A: { name: 'A: Jay Chou new album pre-sale', category: 'digital_album', priority: 90, platforms: ['ios', 'android', 'pc'], slots: ['splash', 'popup'], tags: { genres: ['mandopop'], artists: ['Jay Chou'], languages: ['zh'] } },
  B: { name: 'B: Green-diamond VIP month', category: 'membership', priority: 70, platforms: ['ios', 'android', 'pc'], slots: ['banner', 'popup', 'feed'], goal: { metric: 'conversions', daily: 500, total: null, pacing: 'even' } },
  C: { name: 'C: Lossless paid package', category: 'paid_package', priority: 60, platforms: ['ios', 'android', 'pc'], slots: ['banner', 'popup', 'audio', 'feed'], tags: { genres: ['classical', 'jazz'], artists: [], languages: [] } },
  D: { name: 'D: Concert tickets partner', category: 'partner', priority: 50, platforms: ['ios', 'android'], slots: ['banner', 'audio'], frequencyCaps: [{ impressions: 3, window: 'day' }], tags: { genres: ['rock', 'mandopop'], artists: ['Mayday'], languages: ['zh'] } },
  E: { name: 'E: K-pop digital single', category: 'digital_album', priority: 50, platforms: ['ios', 'android'], slots: ['banner', 'feed'], tags: { genres: ['kpop'], artists: ['BLACKPINK'], languages: ['ko'] } },
  F: { name: 'F: Car audio partner', category: 'partner', priority: 30, platforms: ['pc', 'android'], slots: ['popup'], dayParting: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], startHour: 7, endHour: 10 }] },
};

/** Creative type per slot format: audio slots play a spot, the rest show an image. */
export function creativeTypeFor(format: SlotFormat): 'image' | 'audio' {
  return format === 'audio' ? 'audio' : 'image';
}

export interface DemoPackage {
  key: string;
  name: string;
  kind: 'rule' | 'upload' | 'combination';
  rule?: Record<string, unknown>;
  op?: 'union' | 'intersection' | 'difference';
  packages?: string[];
}

/** Rule packages over profile attributes, the uploaded paid-users list, and one combination. */
export const DEMO_PACKAGES: DemoPackage[] = [
  { key: 'vip-2024', name: 'VIP listeners (level 3 and up)', kind: 'rule', rule: { attr: 'vipLevel', in: ['3', '4', '5', '6', '7'] } },
  { key: 'kpop-fans', name: 'K-pop fans', kind: 'rule', rule: { attr: 'genres', containsAny: ['kpop'] } },
  { key: 'heavy-listeners', name: 'More than 30 hours a month', kind: 'rule', rule: { attr: 'monthlyMinutes', range: { gte: 1800 } } },
  { key: 'paid-users', name: 'Paid users (uploaded list)', kind: 'upload' },
  { key: 'vip-not-paid', name: 'VIP listeners without a paid package', kind: 'combination', op: 'difference', packages: ['vip-2024', 'paid-users'] },
];

export interface DemoBranch {
  name: string;
  audience: AudienceExpr;
  ads: DemoAdLetter[];
  method: 'designated' | 'priority' | 'model' | 'bandit';
  modelId?: string;
  arms?: { modelId: string; floor: number }[];
}

/** The three policy combinations the business runs (splash, banner, popup), plus audio and feed. */
export const DEMO_POLICIES: Record<DemoSlotName, DemoBranch[]> = {
  // 1. targeted listeners get one designated ad
  splash: [{ name: 'vip designated', audience: { package: 'vip-2024' }, ads: ['A'], method: 'designated' }],
  // 2. targeted listeners get several ads ranked by a model; everyone else by priority
  banner: [
    { name: 'vip not paid, model', audience: { and: [{ package: 'vip-2024' }, { not: { package: 'paid-users' } }] }, ads: ['B', 'C'], method: 'model', modelId: 'ftrl-main' },
    { name: 'everyone by priority', audience: 'everyone', ads: ['D', 'E'], method: 'priority' },
  ],
  // 3. targeted listeners get one designated ad; everyone else several ads ranked by a model
  popup: [
    { name: 'vip designated', audience: { package: 'vip-2024' }, ads: ['A'], method: 'designated' },
    { name: 'everyone by model', audience: 'everyone', ads: ['B', 'C', 'F'], method: 'model', modelId: 'ftrl-main' },
  ],
  audio: [{ name: 'everyone by priority', audience: 'everyone', ads: ['C', 'D'], method: 'priority' }],
  feed: [
    {
      name: 'everyone, bandit over models',
      audience: 'everyone',
      ads: ['B', 'C', 'E'],
      method: 'bandit',
      arms: [
        { modelId: 'ftrl-main', floor: 0.1 },
        { modelId: 'random', floor: 0.1 },
      ],
    },
  ],
};

// ------------------------------------------------------------------ listeners

export const DEMO_GENRES = ['mandopop', 'cantopop', 'kpop', 'jpop', 'rock', 'hiphop', 'electronic', 'classical', 'jazz', 'folk'] as const;
const GENRE_WEIGHTS = [30, 8, 12, 6, 10, 10, 8, 5, 4, 7];
export const DEMO_ARTISTS: Record<(typeof DEMO_GENRES)[number], string[]> = {
  mandopop: ['Jay Chou', 'JJ Lin', 'G.E.M.', 'Eason Chan', 'Jolin Tsai'],
  cantopop: ['Eason Chan', 'Joey Yung', 'Beyond'],
  kpop: ['BLACKPINK', 'BTS', 'IU', 'TWICE'],
  jpop: ['YOASOBI', 'Aimer', 'Kenshi Yonezu'],
  rock: ['Mayday', 'Beyond', 'Wu Bai'],
  hiphop: ['GAI', 'Higher Brothers', 'MC Jin'],
  electronic: ['Alan Walker', 'Marshmello'],
  classical: ['Lang Lang', 'Yo-Yo Ma'],
  jazz: ['Norah Jones', 'Chet Baker'],
  folk: ['Li Jian', 'Zhao Lei', 'Song Dongye'],
};
const GENRE_LANGUAGE: Record<(typeof DEMO_GENRES)[number], string> = {
  mandopop: 'zh', cantopop: 'yue', kpop: 'ko', jpop: 'ja', rock: 'zh', hiphop: 'zh', electronic: 'en', classical: 'instrumental', jazz: 'en', folk: 'zh',
};
const REGIONS = ['guangdong', 'beijing', 'shanghai', 'zhejiang', 'jiangsu', 'sichuan', 'hubei', 'shandong', 'fujian', 'henan'];
const AGE_BANDS = ['under18', '18-24', '25-34', '35-44', '45plus'];
const MOODS = ['happy', 'calm', 'sad', 'energetic', 'romantic'];
const TEMPOS = ['slow', 'medium', 'fast'];
const PLATFORM_WEIGHTS: [Platform, number][] = [['android', 48], ['ios', 32], ['pc', 12], ['h5', 3], ['car', 3], ['speaker', 2]];

function pickWeighted<T>(rng: Rng, items: readonly T[], weights: readonly number[]): T {
  const total = weights.reduce((s, w) => s + w, 0);
  let r = rng.next() * total;
  for (let i = 0; i < items.length; i++) {
    r -= weights[i];
    if (r < 0) return items[i];
  }
  return items[items.length - 1];
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)];
}

export function demoUserKey(i: number): string {
  return `u-${String(i + 1).padStart(6, '0')}`;
}

/** One synthetic listener: 1–3 favourite genres (skewed to mandopop), artists of those genres, VIP level skewed low. */
export function demoProfile(rng: Rng): ListenerProfile {
  const genreCount = 1 + Math.floor(rng.next() * 3);
  const genres: string[] = [];
  while (genres.length < genreCount) {
    const g = pickWeighted(rng, DEMO_GENRES, GENRE_WEIGHTS);
    if (!genres.includes(g)) genres.push(g);
  }
  const artists = [...new Set(genres.flatMap((g) => (rng.next() < 0.8 ? [pick(rng, DEMO_ARTISTS[g as keyof typeof DEMO_ARTISTS])] : [])))];
  const languages = [...new Set(genres.map((g) => GENRE_LANGUAGE[g as keyof typeof GENRE_LANGUAGE]))];
  const vipRoll = rng.next();
  const vipLevel = vipRoll < 0.55 ? 0 : vipRoll < 0.75 ? 1 : vipRoll < 0.85 ? 2 : 3 + Math.floor(rng.next() * 5);
  const monthlyMinutes = Math.round(Math.exp(5.5 + 1.1 * normal(rng)));
  return {
    gender: pickWeighted(rng, ['male', 'female', 'other', 'unknown'], [46, 46, 2, 6]),
    ageBand: pickWeighted(rng, AGE_BANDS, [10, 35, 30, 15, 10]),
    region: pick(rng, REGIONS),
    cityTier: pickWeighted(rng, ['1', '2', '3'], [25, 40, 35]),
    platform: pickWeighted(rng, PLATFORM_WEIGHTS.map((p) => p[0]), PLATFORM_WEIGHTS.map((p) => p[1])),
    vipLevel: String(vipLevel),
    activityState: pickWeighted(rng, ['new', 'retained', 'returning', 'active'], [10, 20, 15, 55]),
    paidPackage: rng.next() < (vipLevel >= 3 ? 0.35 : 0.08),
    languages,
    genres,
    artists,
    moods: [pick(rng, MOODS)],
    tempos: [pick(rng, TEMPOS)],
    monthlyMinutes: Math.min(20_000, monthlyMinutes),
    tenureDays: Math.floor(rng.next() * 2_000),
  };
}

/** `count` listeners as NDJSON lines ({userId, ...profile}), in chunks of `chunk` lines; same seed → same listeners. */
export async function* demoProfileLines(count: number, options: { seed?: number; chunk?: number; paid?: string[]; isStopped?: () => boolean } = {}): AsyncGenerator<string> {
  const rng = createRng(options.seed ?? DEMO_SEED);
  const chunk = options.chunk ?? 5_000;
  let lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const profile = demoProfile(rng);
    if (profile.paidPackage) options.paid?.push(demoUserKey(i));
    lines.push(JSON.stringify({ userId: demoUserKey(i), ...profile }));
    if (lines.length >= chunk) {
      yield lines.join('\n') + '\n';
      lines = [];
      // Lets the event loop serve requests between chunks, and a shutdown stop the import early.
      await new Promise((resolve) => setImmediate(resolve));
      if (options.isStopped?.()) return;
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}

/**
 * A listening history (user, item, plays) for CF and item2vec: each listener plays tracks of their
 * genres' artists, items named "artist - track N". Tab-separated like the Last.fm data set.
 */
export function* demoListeningLines(count: number, options: { seed?: number; playsPerUser?: number } = {}): Generator<string> {
  const rng = createRng((options.seed ?? DEMO_SEED) ^ 0x5a5a);
  const profileRng = createRng(options.seed ?? DEMO_SEED);
  const perUser = options.playsPerUser ?? 8;
  for (let i = 0; i < count; i++) {
    const profile = demoProfile(profileRng);
    const artists = profile.artists?.length ? profile.artists : (profile.genres ?? []).flatMap((g) => DEMO_ARTISTS[g as keyof typeof DEMO_ARTISTS] ?? []);
    if (artists.length === 0) continue;
    const items = new Map<string, number>();
    for (let k = 0; k < perUser; k++) {
      const item = `${pick(rng, artists)} - track ${1 + Math.floor(rng.next() * 10)}`;
      items.set(item, (items.get(item) ?? 0) + 1 + Math.floor(rng.next() * 20));
    }
    for (const [item, plays] of items) yield `${demoUserKey(i)}\t${item}\t${plays}`;
  }
}
