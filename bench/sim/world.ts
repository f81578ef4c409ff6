import { createRng, normal, type Rng } from '../../src/engine/util/rng';

/**
 * The simulated world: listeners with latent tastes, campaigns with hidden appeal, and the hidden
 * click probability p(listener, campaign, context, phase). Part of what drives p is visible to the
 * API through profiles and request context (genres, artists, VIP level, paid package, platform,
 * hour, network, current genre), part is latent (a per-listener ad affinity), and the function is
 * nonlinear with three-way interactions, so that one priority order or a linear rule loses.
 */

export const SIM_GENRES = ['mandopop', 'kpop', 'jpop', 'rock', 'hiphop', 'classical', 'jazz', 'electronic'] as const;
const GENRE_WEIGHTS = [30, 14, 8, 14, 12, 6, 6, 10];
const ARTISTS: Record<string, string[]> = {
  mandopop: ['Jay Chou', 'JJ Lin', 'G.E.M.'],
  kpop: ['BLACKPINK', 'BTS', 'IU'],
  jpop: ['YOASOBI', 'Aimer'],
  rock: ['Mayday', 'Beyond'],
  hiphop: ['GAI', 'Higher Brothers'],
  classical: ['Lang Lang', 'Yo-Yo Ma'],
  jazz: ['Norah Jones', 'Chet Baker'],
  electronic: ['Alan Walker', 'Marshmello'],
};
const PLATFORMS = ['android', 'ios', 'pc'] as const;
type Habit = 'commute' | 'evening' | 'night';

export interface SimListener {
  userId: string;
  genres: string[];
  artists: string[];
  vipLevel: number;
  paidPackage: boolean;
  platform: (typeof PLATFORMS)[number];
  ageBand: string;
  monthlyMinutes: number;
  /** Latent: when this listener usually listens. */
  habit: Habit;
  /** Latent: general propensity to click ads (logit offset), never shown to the API. */
  adAffinity: number;
}

export type SimKind = 'album' | 'membership' | 'lossless' | 'concert' | 'car' | 'festival';

export interface SimCampaign {
  name: string;
  category: 'digital_album' | 'paid_package' | 'membership' | 'partner';
  kind: SimKind;
  priority: number;
  genres: string[];
  artists: string[];
  languages: string[];
  /** Logit of the base click rate. */
  base: number;
}

export const SIM_CAMPAIGNS: SimCampaign[] = [
  { name: 'sim: Jay Chou album', category: 'digital_album', kind: 'album', priority: 90, genres: ['mandopop'], artists: ['Jay Chou'], languages: ['zh'], base: -3.6 },
  { name: 'sim: K-pop single', category: 'digital_album', kind: 'album', priority: 50, genres: ['kpop'], artists: ['BLACKPINK'], languages: ['ko'], base: -3.4 },
  { name: 'sim: J-pop single', category: 'digital_album', kind: 'album', priority: 45, genres: ['jpop'], artists: ['YOASOBI'], languages: ['ja'], base: -3.5 },
  { name: 'sim: VIP month', category: 'membership', kind: 'membership', priority: 80, genres: [], artists: [], languages: [], base: -3.9 },
  { name: 'sim: Lossless package', category: 'paid_package', kind: 'lossless', priority: 60, genres: ['classical', 'jazz'], artists: [], languages: [], base: -3.8 },
  { name: 'sim: Mayday concert', category: 'partner', kind: 'concert', priority: 55, genres: ['rock'], artists: ['Mayday'], languages: ['zh'], base: -3.7 },
  { name: 'sim: Car audio', category: 'partner', kind: 'car', priority: 30, genres: [], artists: [], languages: [], base: -4.2 },
  { name: 'sim: Hip-hop festival', category: 'partner', kind: 'festival', priority: 40, genres: ['hiphop'], artists: ['GAI'], languages: ['zh'], base: -3.6 },
];

/** Which campaign's appeal changes at the drift point, and by how much (logit). */
export const DRIFT = [
  { campaign: 'sim: K-pop single', delta: -1.6 },
  { campaign: 'sim: Mayday concert', delta: +1.2 },
];

export interface SimContext {
  hour: number;
  network: 'wifi' | 'cellular';
  genre: string;
  artistId: string;
}

export interface SimRequest {
  listener: SimListener;
  context: SimContext;
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.next() * items.length)];
}

function pickWeighted<T>(rng: Rng, items: readonly T[], weights: readonly number[]): T {
  let r = rng.next() * weights.reduce((s, w) => s + w, 0);
  for (let i = 0; i < items.length; i++) {
    r -= weights[i];
    if (r < 0) return items[i];
  }
  return items[items.length - 1];
}

export function createListeners(count: number, seed: number): SimListener[] {
  const rng = createRng(seed);
  const listeners: SimListener[] = [];
  for (let i = 0; i < count; i++) {
    const genres: string[] = [];
    const n = 1 + Math.floor(rng.next() * 2);
    while (genres.length < n) {
      const g = pickWeighted(rng, SIM_GENRES, GENRE_WEIGHTS);
      if (!genres.includes(g)) genres.push(g);
    }
    const vipRoll = rng.next();
    const vipLevel = vipRoll < 0.6 ? 0 : vipRoll < 0.8 ? 1 + Math.floor(rng.next() * 2) : 3 + Math.floor(rng.next() * 5);
    listeners.push({
      userId: `sim-${String(i + 1).padStart(6, '0')}`,
      genres,
      artists: genres.map((g) => pick(rng, ARTISTS[g])),
      vipLevel,
      paidPackage: rng.next() < (vipLevel >= 3 ? 0.3 : 0.1),
      platform: pickWeighted(rng, PLATFORMS, [55, 35, 10]),
      ageBand: pickWeighted(rng, ['18-24', '25-34', '35-44', '45plus'], [35, 35, 20, 10]),
      monthlyMinutes: Math.round(Math.exp(5.5 + normal(rng))),
      habit: pickWeighted(rng, ['commute', 'evening', 'night'] as const, [30, 45, 25]),
      adAffinity: 0.35 * normal(rng),
    });
  }
  return listeners;
}

/** The profile the API knows: the latent habit and ad affinity are left out. */
export function profileOf(l: SimListener): Record<string, unknown> {
  return {
    userId: l.userId,
    genres: l.genres,
    artists: l.artists,
    vipLevel: l.vipLevel,
    paidPackage: l.paidPackage,
    platform: l.platform,
    ageBand: l.ageBand,
    monthlyMinutes: l.monthlyMinutes,
    languages: [...new Set(l.genres.map((g) => (g === 'kpop' ? 'ko' : g === 'jpop' ? 'ja' : g === 'classical' ? 'instrumental' : 'zh')))],
  };
}

const HABIT_HOURS: Record<Habit, number[]> = { commute: [7, 8, 9, 17, 18], evening: [19, 20, 21, 22], night: [23, 0, 1, 2] };

/** The request stream: a seeded sequence of (listener, context); every strategy sees the same one. */
export function createRequestStream(listeners: readonly SimListener[], seed: number): () => SimRequest {
  const rng = createRng(seed ^ 0x9e3779b9);
  return () => {
    const listener = listeners[Math.floor(rng.next() * listeners.length)];
    const hour = rng.next() < 0.75 ? pick(rng, HABIT_HOURS[listener.habit]) : Math.floor(rng.next() * 24);
    const genre = rng.next() < 0.8 ? pick(rng, listener.genres) : pick(rng, SIM_GENRES);
    const artistId = rng.next() < 0.7 && listener.genres.includes(genre) ? listener.artists[listener.genres.indexOf(genre)] : pick(rng, ARTISTS[genre]);
    return { listener, context: { hour, network: rng.next() < 0.6 ? 'wifi' : 'cellular', genre, artistId } };
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * The hidden click probability. `isDrifted` applies DRIFT. Interactions: taste match is stronger
 * when the listener is playing that genre right now; the VIP month appeals to heavy free
 * listeners and repels VIPs; lossless appeals to VIPs without a paid package on wifi; car audio to
 * Android listeners at commute hours; the concert to the artist's fans in the evening.
 */
export function hiddenCtr(l: SimListener, c: SimCampaign, x: SimContext, isDrifted: boolean): number {
  let z = c.base + l.adAffinity;
  const tasteMatch = c.genres.some((g) => l.genres.includes(g));
  const playingIt = c.genres.includes(x.genre);
  const fan = c.artists.some((a) => l.artists.includes(a));
  switch (c.kind) {
    case 'album':
      z += (tasteMatch ? 1.3 : -0.6) + (tasteMatch && playingIt ? 0.9 : 0) + (fan ? 0.8 : 0) + (fan && x.artistId === c.artists[0] ? 0.8 : 0);
      break;
    case 'membership':
      z += l.vipLevel >= 3 ? -2.0 : l.monthlyMinutes > 600 ? 1.5 + (x.hour >= 19 ? 0.5 : 0) : 0.2;
      break;
    case 'lossless':
      z += l.vipLevel >= 3 && !l.paidPackage ? (x.network === 'wifi' ? 2.4 : 0.8) : -0.5;
      z += tasteMatch ? 0.6 : 0;
      break;
    case 'concert':
      z += (fan ? 1.4 : tasteMatch ? 0.7 : -0.8) + ((fan || tasteMatch) && x.hour >= 18 && x.hour <= 22 ? 0.9 : 0);
      break;
    case 'car':
      z += l.platform === 'android' && (x.hour >= 7 && x.hour <= 9 || x.hour >= 17 && x.hour <= 18) ? 2.6 : -0.7;
      break;
    case 'festival':
      z += tasteMatch ? 1.2 + (l.ageBand === '18-24' ? 0.9 : 0) + (x.hour >= 22 || x.hour <= 2 ? 0.6 : 0) : -0.9;
      break;
  }
  if (isDrifted) for (const d of DRIFT) if (d.campaign === c.name) z += d.delta;
  return sigmoid(z);
}

/** The oracle: the campaign with the highest hidden CTR for this request, and that CTR. */
export function oraclePick(request: SimRequest, campaigns: readonly SimCampaign[], isDrifted: boolean): { campaign: SimCampaign; ctr: number } {
  let best = campaigns[0];
  let bestCtr = -1;
  for (const c of campaigns) {
    const p = hiddenCtr(request.listener, c, request.context, isDrifted);
    if (p > bestCtr) {
      best = c;
      bestCtr = p;
    }
  }
  return { campaign: best, ctr: bestCtr };
}
