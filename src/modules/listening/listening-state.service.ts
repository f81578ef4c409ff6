import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { ItemNeighbors } from '../../engine/cf/item-similarity';
import type { UserItem } from '../../engine/cf/recommend';
import type { Item2vecModel } from '../../engine/item2vec/sgns';
import type { Campaign } from '../../engine/policy/snapshot';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { DEFAULT_COLD_START, checkColdStartSettings, type ColdStartSettings } from './cold-start-settings';
import { decodeCf, decodeItem2vec, type CfArtifact } from './listening-artifacts';
import { listeningFeatures, type ListeningFeatures } from './listening-features';
import { StatsRepository } from '../reporting';
import { ListeningRepository, type ItemRow } from './listening.repository';

const POLL_INTERVAL_MS = 5_000;
/** Re-read window behind the plays watermark (see ListeningRepository.playsByUserKey). */
const WATERMARK_OVERLAP_S = 30;
const FEEDBACK_REFRESH_MS = 10_000;
/** A genre tag maps to at most this many of its most-listened items. */
const ITEMS_PER_GENRE_TAG = 20;

/** Everything the CF scorer and the similar-items route read, swapped whole on reload. */
export interface ListeningState {
  readonly items: readonly ItemRow[];
  readonly itemByKey: ReadonlyMap<string, number>;
  readonly historyByUserKey: ReadonlyMap<string, readonly UserItem[]>;
  readonly cf: (CfArtifact & { version: number }) | null;
  readonly item2vec: { version: number; model: Item2vecModel } | null;
  readonly coldStart: ColdStartSettings;
  /** Items a campaign is about (its artists by name, the most-listened items of its genres), memoised per campaign object. */
  campaignItems(campaign: Campaign): Uint32Array;
}

export const EMPTY_STATE: ListeningState = buildState([], new Map(), null, null, DEFAULT_COLD_START);

export function buildState(
  items: readonly ItemRow[],
  historyByUserKey: ReadonlyMap<string, readonly UserItem[]>,
  cf: (CfArtifact & { version: number }) | null,
  item2vec: { version: number; model: Item2vecModel } | null,
  coldStart: ColdStartSettings,
): ListeningState {
  const itemByKey = new Map(items.map((i) => [i.key, i.idx]));
  const byName = new Map<string, number[]>();
  const byGenre = new Map<string, number[]>();
  for (const item of items) {
    if (item.name) byName.set(item.name.toLowerCase(), [...(byName.get(item.name.toLowerCase()) ?? []), item.idx]);
    if (item.genre) byGenre.set(item.genre.toLowerCase(), [...(byGenre.get(item.genre.toLowerCase()) ?? []), item.idx]);
  }
  const degree: ItemNeighbors['itemDegree'] | null = cf?.iuf.itemDegree ?? null;
  const memo = new WeakMap<Campaign, Uint32Array>();
  return {
    items,
    itemByKey,
    historyByUserKey,
    cf,
    item2vec,
    coldStart,
    campaignItems(campaign) {
      const hit = memo.get(campaign);
      if (hit) return hit;
      const out = new Set<number>();
      for (const artist of campaign.tags?.artists ?? []) for (const i of byName.get(artist.toLowerCase()) ?? []) out.add(i);
      for (const genre of campaign.tags?.genres ?? []) {
        const inGenre = [...(byGenre.get(genre.toLowerCase()) ?? [])];
        if (degree) inGenre.sort((a, b) => (degree[b] ?? 0) - (degree[a] ?? 0) || a - b);
        for (const i of inGenre.slice(0, ITEMS_PER_GENRE_TAG)) out.add(i);
      }
      const items = Uint32Array.from([...out].sort((a, b) => a - b));
      memo.set(campaign, items);
      return items;
    },
  };
}

/**
 * This API node's copy of the listening data: item metadata, every listener's history, the newest
 * CF and item2vec versions and the cold-start settings. Reloaded whole when the data signature
 * changes (checked on every configuration change and on a poll), so the decision path never
 * queries the database. Workers read the tables directly instead.
 */
@Injectable()
export class ListeningStateService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Listening');
  private state: ListeningState = EMPTY_STATE;
  private playsSignature = '';
  private restSignature = '';
  private playsWatermark: string | null = null;
  /** Mutated in place (one listener's array swapped at a time); the state holds this same map. */
  private readonly histories = new Map<string, readonly UserItem[]>();
  private feedback: ReadonlyMap<string, { impressions: number; clicks: number }> = new Map();
  private inFlight: Promise<void> | null = null;
  private again = false;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | null = null;
  private readonly listeners: ((state: ListeningState) => void)[] = [];

  constructor(
    private readonly repository: ListeningRepository,
    private readonly stats: StatsRepository,
    private readonly bus: ConfigChangeBus,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.role === 'worker') return;
    await this.refresh().catch((e: Error) => this.logger.warn(`listening load failed: ${e.message}`));
    await this.refreshFeedback().catch(() => undefined);
    this.unsubscribe = this.bus.onChange(() => void this.refresh().catch((e: Error) => this.logger.warn(`listening reload failed: ${e.message}`)));
    const poll = setInterval(() => void this.refresh().catch(() => undefined), POLL_INTERVAL_MS);
    const feedback = setInterval(() => void this.refreshFeedback().catch(() => undefined), FEEDBACK_REFRESH_MS);
    poll.unref();
    feedback.unref();
    this.timers = [poll, feedback];
  }

  onModuleDestroy(): void {
    for (const t of this.timers) clearInterval(t);
    this.unsubscribe?.();
  }

  current(): ListeningState {
    return this.state;
  }

  /** Listening features of a (listener, campaign) pair for model feature builders; in-memory only. */
  features(userKey: string, campaign: Campaign): ListeningFeatures {
    return listeningFeatures(this.state, userKey, campaign);
  }

  /** Impressions and clicks per campaign id (refreshed every 10 s from the live stats). */
  campaignFeedback(): ReadonlyMap<string, { impressions: number; clicks: number }> {
    return this.feedback;
  }

  onReload(listener: (state: ListeningState) => void): void {
    this.listeners.push(listener);
    listener(this.state);
  }

  /** Reloads if the data changed; concurrent calls coalesce into one more pass. */
  async refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      try {
        do {
          this.again = false;
          await this.reloadIfChanged();
        } while (this.again);
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }

  /**
   * Items, models and settings reload whole when they change; histories load whole once, then
   * incrementally (pairs upserted since the last watermark), each changed listener's list
   * replaced by a new array so a reader never sees half an update.
   */
  private async reloadIfChanged(): Promise<void> {
    const signature = await this.repository.dataSignature();
    const playsChanged = signature.plays !== this.playsSignature;
    const restChanged = signature.rest !== this.restSignature;
    if (!playsChanged && !restChanged) return;
    if (playsChanged) {
      const isFirst = this.playsWatermark === null && this.playsSignature === '';
      const rows = await this.repository.playsByUserKey(isFirst ? null : this.playsWatermark, WATERMARK_OVERLAP_S);
      const changed = new Map<string, UserItem[]>();
      for (const row of rows) {
        let list = changed.get(row.userKey);
        if (!list) changed.set(row.userKey, (list = [...(this.histories.get(row.userKey) ?? [])]));
        const at = list.findIndex((h) => h.item === row.item);
        if (at >= 0) list[at] = { item: row.item, plays: row.plays };
        else list.push({ item: row.item, plays: row.plays });
      }
      for (const [key, list] of changed) this.histories.set(key, list);
      this.playsWatermark = signature.playsMaxUpdatedAt;
      this.playsSignature = signature.plays;
    }
    if (restChanged || this.state === EMPTY_STATE) {
      const [items, cfRow, i2vRow, settings] = await Promise.all([
        this.repository.items(),
        this.repository.latestArtifact('cf'),
        this.repository.latestArtifact('item2vec'),
        this.repository.coldStartSettings(),
      ]);
      const cf = cfRow && this.state.cf?.version === cfRow.version ? this.state.cf : cfRow ? { version: cfRow.version, ...decodeCf(cfRow.artifact) } : null;
      const item2vec =
        i2vRow && this.state.item2vec?.version === i2vRow.version ? this.state.item2vec : i2vRow ? { version: i2vRow.version, model: decodeItem2vec(i2vRow.artifact) } : null;
      const checked = settings === null ? null : checkColdStartSettings(settings);
      const coldStart = checked?.kind === 'ok' ? checked.value : DEFAULT_COLD_START;
      this.state = buildState(items, this.histories, cf, item2vec, coldStart);
      this.restSignature = signature.rest;
    }
    for (const listener of this.listeners) listener(this.state);
  }

  private async refreshFeedback(): Promise<void> {
    this.feedback = await this.stats.campaignTotals();
  }
}
