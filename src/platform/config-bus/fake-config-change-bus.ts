import type { EntityManager } from 'typeorm';
import type { ConfigChangeBus } from './config-change-bus';

/**
 * ConfigChangeBus for services' unit tests: `change` runs the work with a stand-in manager (the
 * fakes of the repositories ignore it) and bumps an in-memory version, as a committed transaction
 * would. A work that throws bumps nothing, as a rolled-back one.
 */
export class FakeConfigChangeBus implements Pick<ConfigChangeBus, 'change' | 'currentVersion' | 'onChange' | 'publish'> {
  version = 1;
  private readonly listeners = new Set<(version: number) => void>();
  /** What a fake repository receives as its transaction handle. */
  readonly manager = {} as EntityManager;

  async change<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await work(this.manager);
    this.version += 1;
    await this.publish(this.version);
    return result;
  }

  async currentVersion(): Promise<number> {
    return this.version;
  }

  async publish(version: number): Promise<void> {
    for (const listener of this.listeners) listener(version);
  }

  onChange(listener: (version: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  asBus(): ConfigChangeBus {
    return this as unknown as ConfigChangeBus;
  }
}
