import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RoaringBitmap32 } from 'roaring';
import type { ReadonlyRoaringBitmap32 } from 'roaring';
import { deserializeBitmap } from '../../engine/targeting/bitmap-ops';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import { ListenerIndexService } from './listener-index.service';
import { PackageRepository } from './package.repository';

const POLL_INTERVAL_MS = 2_000;
const EMPTY_BITMAP: ReadonlyRoaringBitmap32 = new RoaringBitmap32();

/** What the decision path reads: immutable once built, replaced in one assignment. */
export interface AudienceMembershipSnapshot {
  /** Configuration version at which this membership data was read; grows monotonically. */
  readonly version: number;
  /** Every package key → its materialised version (0 = created, no members written yet). */
  readonly packageVersions: ReadonlyMap<string, number>;
  /** O(1), no I/O: user_key → user_idx in memory, then one bitmap lookup. False for unknown packages or users. */
  isMember(packageKey: string, userKey: string): boolean;
}

/** The snapshot plus the bitmaps themselves, for the analysis API on the same node. */
export class PackageMembershipSnapshot implements AudienceMembershipSnapshot {
  constructor(
    readonly version: number,
    readonly packageVersions: ReadonlyMap<string, number>,
    private readonly bitmaps: ReadonlyMap<string, ReadonlyRoaringBitmap32>,
    private readonly resolveUser: (userKey: string) => number | undefined,
  ) {}

  isMember(packageKey: string, userKey: string): boolean {
    const bitmap = this.bitmaps.get(packageKey);
    if (bitmap === undefined) return false;
    const idx = this.resolveUser(userKey);
    return idx !== undefined && bitmap.has(idx);
  }

  /** Members as user indices (read-only, shared), or undefined for an unknown package. */
  bitmapOf(packageKey: string): ReadonlyRoaringBitmap32 | undefined {
    return this.bitmaps.get(packageKey);
  }

  hasPackage(packageKey: string): boolean {
    return this.packageVersions.has(packageKey);
  }
}

/**
 * Keeps every API node's package bitmaps current: reloads on each configuration change event
 * (Redis pub/sub across nodes) and on a poll, fetching only the packages whose version moved,
 * and swaps the snapshot in one assignment. Profiles are refreshed first, so a user in a new
 * bitmap is already resolvable when the bitmap becomes visible.
 */
@Injectable()
export class AudienceMembershipService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AudienceMembership');
  private snapshot: PackageMembershipSnapshot;
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly packages: PackageRepository,
    private readonly listeners: ListenerIndexService,
    private readonly bus: ConfigChangeBus,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {
    this.snapshot = new PackageMembershipSnapshot(0, new Map(), new Map(), (k) => listeners.userIdx(k));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.role === 'worker') return;
    await this.reload();
    this.unsubscribe = this.bus.onChange(() => void this.reload().catch((e: Error) => this.logger.warn(`membership reload failed: ${e.message}`)));
    this.timer = setInterval(() => void this.reload().catch(() => undefined), POLL_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
  }

  current(): PackageMembershipSnapshot {
    return this.snapshot;
  }

  /** Reloads what changed; concurrent calls coalesce into at most one further pass that starts after they called. */
  reload(): Promise<void> {
    if (!this.inFlight) {
      this.inFlight = this.loadChanged().finally(() => {
        this.inFlight = null;
      });
      return this.inFlight;
    }
    const again = () => {
      this.next = null;
      return this.reload();
    };
    this.next ??= this.inFlight.then(again, again);
    return this.next;
  }

  private async loadChanged(): Promise<void> {
    await this.listeners.refresh();
    const { configVersion, packages } = await this.packages.versionsWithConfig();
    const previous = this.snapshot;
    const changed = packages.filter((p) => p.version > 0 && previous.packageVersions.get(p.key) !== p.version).map((p) => p.key);
    const isSameSet = packages.length === previous.packageVersions.size && packages.every((p) => previous.packageVersions.get(p.key) === p.version);
    if (isSameSet) return;
    const bitmaps = new Map<string, ReadonlyRoaringBitmap32>();
    const versions = new Map<string, number>();
    for (const p of packages) {
      const kept = previous.bitmapOf(p.key);
      if (p.version === 0) {
        bitmaps.set(p.key, EMPTY_BITMAP);
        versions.set(p.key, 0);
      } else if (kept && previous.packageVersions.get(p.key) === p.version) {
        bitmaps.set(p.key, kept);
        versions.set(p.key, p.version);
      }
    }
    if (changed.length > 0) {
      // The row may have moved on since the version list was read: keep whichever version the bitmap belongs to.
      for (const row of await this.packages.bitmaps(changed)) {
        if (!row.bitmap) continue;
        const decoded = deserializeBitmap(row.bitmap);
        if (decoded.kind === 'error') {
          this.logger.error(`package ${row.key} v${row.version}: ${decoded.message}; keeping the previous version`);
          const kept = previous.bitmapOf(row.key);
          if (kept) {
            bitmaps.set(row.key, kept);
            versions.set(row.key, previous.packageVersions.get(row.key)!);
          }
          continue;
        }
        bitmaps.set(row.key, decoded.bitmap);
        versions.set(row.key, row.version);
      }
    }
    this.snapshot = new PackageMembershipSnapshot(Math.max(configVersion, previous.version), versions, bitmaps, (k) => this.listeners.userIdx(k));
  }
}
