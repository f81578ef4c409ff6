import { hash, randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../../config/config';
import { JobHandler } from '../../platform/jobs/job-handler.decorator';
import { JobsService } from '../../platform/jobs/jobs.service';
import { APP_CONFIG, PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import type { ApiKeyEntity } from './api-key.entity';
import type { ApiKeyRole, AuthenticatedKey } from '../../platform/http/roles';
import { ApiKeyRepository } from './api-key.repository';

interface CachedKey extends AuthenticatedKey {
  lastTouchMinute: number;
}

const KEY_PATTERN = /^mb_[A-Za-z0-9_-]{20,200}$/;
const REFRESH_INTERVAL_MS = 5_000;
const NEGATIVE_CACHE_MS = 5_000;
const NEGATIVE_CACHE_MAX = 10_000;

export function hashApiKey(key: string): string {
  // One-shot: every request authenticates, the decision path included, and no Hash object is built.
  return hash('sha256', key, 'hex');
}

export function generateApiKey(): string {
  return `mb_${randomBytes(24).toString('base64url')}`;
}

/**
 * Authenticates keys from an in-memory map of hashes, so even the decision hot path never waits
 * on Postgres. The map is reloaded every few seconds (revocations elsewhere reach this node
 * within that) and a miss falls back to one lookup, negatively cached.
 */
@Injectable()
export class ApiKeyService implements OnApplicationBootstrap, OnModuleDestroy {
  private byHash = new Map<string, CachedKey>();
  private readonly misses = new Map<string, number>();
  private refreshTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly repository: ApiKeyRepository,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.role === 'worker') return;
    await this.ensureAdminKey();
    await this.refresh();
    this.refreshTimer = setInterval(() => void this.refresh().catch(() => undefined), REFRESH_INTERVAL_MS);
    this.refreshTimer.unref();
  }

  onModuleDestroy(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
  }

  private async ensureAdminKey(): Promise<void> {
    const bootstrap = this.config.bootstrapAdminKey;
    if (bootstrap) {
      await this.repository.insertIfAbsent({ name: 'bootstrap admin', role: 'admin', keyPrefix: bootstrap.slice(0, 10), keyHash: hashApiKey(bootstrap) });
      return;
    }
    if (await this.repository.hasActiveAdmin()) return;
    const key = generateApiKey();
    await this.repository.insert({ name: 'first admin', role: 'admin', scope: null, keyPrefix: key.slice(0, 10), keyHash: hashApiKey(key) });
    // Printed to stdout, not the structured log: it is shown exactly once and must not reach log shipping.
    process.stdout.write(`\nMusicBoss created the first admin API key (shown once, store it now):\n  ${key}\n\n`);
  }

  async refresh(): Promise<void> {
    const keys = await this.repository.listActive();
    const next = new Map<string, CachedKey>();
    for (const key of keys) next.set(key.keyHash, { ...toAuthenticated(key), lastTouchMinute: this.byHash.get(key.keyHash)?.lastTouchMinute ?? -1 });
    this.byHash = next;
  }

  /** Resolves a presented key, or null. Never throws for bad input. */
  async authenticate(presented: string, nowMs: number): Promise<AuthenticatedKey | null> {
    if (!KEY_PATTERN.test(presented)) return null;
    const hash = hashApiKey(presented);
    let cached = this.byHash.get(hash);
    if (!cached) {
      const missedAt = this.misses.get(hash);
      if (missedAt !== undefined && nowMs - missedAt < NEGATIVE_CACHE_MS) return null;
      const row = await this.repository.findActiveByHash(hash).catch(() => null);
      if (!row) {
        if (this.misses.size >= NEGATIVE_CACHE_MAX) this.misses.clear();
        this.misses.set(hash, nowMs);
        return null;
      }
      cached = { ...toAuthenticated(row), lastTouchMinute: -1 };
      this.byHash.set(hash, cached);
    }
    const minute = Math.floor(nowMs / 60_000);
    if (cached.lastTouchMinute !== minute) {
      cached.lastTouchMinute = minute;
      // Bookkeeping only: a queue hiccup must not fail the caller's request.
      this.jobs.enqueue('auth.touch-key', { keyId: cached.id, usedAtMs: nowMs }).catch(() => undefined);
    }
    return cached;
  }

  async create(input: { name: string; role: ApiKeyRole; scope: string | null }): Promise<{ key: string; entity: ApiKeyEntity }> {
    const key = generateApiKey();
    const entity = await this.repository.insert({ ...input, keyPrefix: key.slice(0, 10), keyHash: hashApiKey(key) });
    this.byHash.set(entity.keyHash, { ...toAuthenticated(entity), lastTouchMinute: -1 });
    return { key, entity };
  }

  list(): Promise<ApiKeyEntity[]> {
    return this.repository.listAll();
  }

  findById(id: string): Promise<ApiKeyEntity | null> {
    return this.repository.findById(id);
  }

  async revoke(id: string, nowMs: number): Promise<boolean> {
    const revoked = await this.repository.revoke(id, new Date(nowMs));
    for (const [hash, key] of this.byHash) if (key.id === id) this.byHash.delete(hash);
    return revoked;
  }

  @JobHandler('auth.touch-key')
  async touch(payload: { keyId: string; usedAtMs: number }): Promise<void> {
    await this.repository.touch(payload.keyId, new Date(payload.usedAtMs));
  }
}

function toAuthenticated(key: ApiKeyEntity): AuthenticatedKey {
  return { id: key.id, name: key.name, role: key.role, scope: key.scope };
}
