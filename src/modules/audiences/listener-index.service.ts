import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AttributeIndex } from '../../engine/targeting/attribute-index';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { ProfileRepository } from './profile.repository';
import { UserKeyMap } from './user-key-map';

const PAGE_ROWS = 20_000;
const POLL_INTERVAL_MS = 2_000;

/**
 * This node's copy of the profile store: the AttributeIndex (attribute value → bitmap) and the
 * user_key → user_idx map. Loaded at boot on API nodes, then fed incrementally by revision on
 * every config change and on a poll. Workers load it lazily, when a rule package recomputes.
 */
@Injectable()
export class ListenerIndexService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ListenerIndex');
  readonly index = new AttributeIndex();
  private readonly keyToIdx = new UserKeyMap();
  private loadedRevision = 0;
  private loadedUserIdx = -1;
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly repository: ProfileRepository,
    private readonly bus: ConfigChangeBus,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.role === 'worker') return;
    await this.refresh();
    this.unsubscribe = this.bus.onChange(() => void this.refresh().catch((e: Error) => this.logger.warn(`profile refresh failed: ${e.message}`)));
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), POLL_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
  }

  /** Revision of the newest profile batch loaded into this node's index. */
  get revision(): number {
    return this.loadedRevision;
  }

  get size(): number {
    return this.index.size;
  }

  /** user_key → dense user index on this node, or undefined for a listener without a profile. */
  userIdx(userKey: string): number | undefined {
    return this.keyToIdx.get(userKey);
  }

  /**
   * The listener's profile as this node's index holds it (null without one): the feature input of
   * decisions. Read from the index every time, with no cache: code columns, code lists and at most
   * 64 probes per small multi-valued vocabulary keep the read to tens of µs. A cache of recent
   * listeners cost the decision path more than it saved: the bench's listeners all missed it, API
   * nodes behind a load balancer rarely see the same listener twice, its entries lived long enough
   * to be promoted and fed every scavenge and major GC, and evicting the oldest walked the Map's
   * deleted slots.
   */
  profile(userKey: string): Readonly<Record<string, unknown>> | null {
    const idx = this.keyToIdx.get(userKey);
    if (idx === undefined) return null;
    return (this.index.profileOf(idx) as Record<string, unknown> | null) ?? null;
  }

  /**
   * Loads every profile batch committed since the last refresh. Calls made while one runs join
   * it and then trigger exactly one more pass, so a caller always sees writes committed before it called.
   */
  refresh(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.loadNewer().finally(() => {
        this.inFlight = null;
      });
      return this.inFlight;
    }
    this.next ??= this.inFlight.then(
      () => {
        this.next = null;
        return this.refresh();
      },
      () => {
        this.next = null;
        return this.refresh();
      },
    );
    return this.next;
  }

  private async loadNewer(): Promise<void> {
    for (;;) {
      const rows = await this.repository.pageAfter(this.loadedRevision, this.loadedUserIdx, PAGE_ROWS);
      if (rows.length === 0) return;
      const idxs = new Uint32Array(rows.length);
      rows.forEach((row, i) => {
        idxs[i] = row.userIdx;
        this.keyToIdx.set(row.userKey, row.userIdx);
      });
      this.index.upsertMany(idxs, rows.map((r) => r.profile));
      const last = rows[rows.length - 1];
      this.loadedRevision = last.revision;
      this.loadedUserIdx = last.userIdx;
      if (rows.length < PAGE_ROWS) return;
    }
  }
}
