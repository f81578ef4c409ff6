import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A delivery policy whose branch audiences mention a package: its slot and the branches. */
export interface PolicyUse {
  readonly slotKey: string;
  readonly branches: string[];
}

export type PolicyUseLookup = (packageKey: string, manager: EntityManager) => Promise<PolicyUse[]>;

/**
 * Which delivery policies use a package, asked before the package is deleted. The catalog owns the
 * policies and depends on this module (it validates package references), so it registers the
 * lookup here rather than this module reaching into the catalog's tables.
 */
@Injectable()
export class PackagePolicyUses {
  private lookup: PolicyUseLookup | null = null;

  register(lookup: PolicyUseLookup): void {
    this.lookup = lookup;
  }

  /** Throws when no lookup is registered: a delete must never pass unchecked. */
  find(packageKey: string, manager: EntityManager): Promise<PolicyUse[]> {
    if (!this.lookup) throw new Error('no delivery-policy lookup is registered for package deletes');
    return this.lookup(packageKey, manager);
  }
}
