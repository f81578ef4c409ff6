import { EventEmitter } from 'node:events';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../../config/config';
import { DatabaseService } from '../database/database.service';
import { createRedisClient } from '../infrastructure';
import { APP_CONFIG, DATABASE, REDIS } from '../tokens';
import { ConfigStateRepository } from './config-state.repository';

export type ConfigChangeListener = (version: number) => void;

/**
 * Tells every node that the configuration (campaigns, slots, policies, packages, models) changed.
 * Writers bump `config_state.version` inside their transaction and publish after commit:
 * Redis pub/sub in production, an in-process event in embedded mode. Readers also poll the
 * version (see SnapshotService), so a lost message only delays a node, never forks it.
 */
@Injectable()
export class ConfigChangeBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ConfigChangeBus');
  private readonly local = new EventEmitter();
  private subscriber: Redis | null = null;
  private readonly channel: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE) private readonly database: DatabaseService,
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly state: ConfigStateRepository,
  ) {
    this.channel = `${config.redisPrefix}:config-changed`;
    this.local.setMaxListeners(100);
  }

  async onModuleInit(): Promise<void> {
    if (!this.redis || !this.config.redisUrl) return;
    // A subscriber connection must queue its SUBSCRIBE until connected and re-subscribe after reconnects.
    this.subscriber = createRedisClient(this.config.redisUrl, { enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.subscriber.on('message', (_channel: string, message: string) => {
      const version = Number(message);
      if (Number.isFinite(version)) this.local.emit('change', version);
    });
    await this.subscriber.subscribe(this.channel).catch((error: Error) => this.logger.warn(`config pub/sub unavailable: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber?.disconnect();
  }

  /** Call inside the writing transaction; returns the new configuration version. */
  bumpVersion(manager: EntityManager): Promise<number> {
    return this.state.bumpVersion(manager);
  }

  /** Call after commit. Never throws: a failed publish is caught up by the readers' version poll. */
  async publish(version: number): Promise<void> {
    this.local.emit('change', version);
    if (this.redis) await this.redis.publish(this.channel, String(version)).catch(() => undefined);
  }

  currentVersion(): Promise<number> {
    return this.state.currentVersion();
  }

  onChange(listener: ConfigChangeListener): () => void {
    this.local.on('change', listener);
    return () => this.local.off('change', listener);
  }

  /** Runs `work` in a transaction that bumps the version, then publishes. Returns work's result. */
  async change<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    let version = 0;
    const result = await this.database.transaction(async (manager) => {
      const value = await work(manager);
      version = await this.bumpVersion(manager);
      return value;
    });
    await this.publish(version);
    return result;
  }
}
