import { Inject, Injectable, Logger } from '@nestjs/common';
import { RoaringBitmap32 } from 'roaring';
import type { ReadonlyRoaringBitmap32 } from 'roaring';
import type { EntityManager } from 'typeorm';
import { combine, deserializeBitmap, serializeBitmap, type CombineOp } from '../../engine/targeting/bitmap-ops';
import { createIdListReader } from '../../engine/targeting/id-list';
import { evaluateRule, validateRule } from '../../engine/targeting/rule-expr';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import type { Transactions } from '../../platform/database/sql';
import type { FieldProblem } from '../../platform/http/validation';
import { JobHandler } from '../../platform/jobs/job-handler.decorator';
import { JobsService } from '../../platform/jobs/jobs.service';
import { DATABASE, PROCESS_ROLE, type ProcessRole } from '../../platform/tokens';
import type { PackageKind } from './audience.entities';
import { invalid, ok, MAX_REPORTED_PROBLEMS, type ServiceResult, type LineProblem } from '../../platform/http/service-result';
import { AudienceMembershipService } from './audience-membership.service';
import { ListenerIndexService } from './listener-index.service';
import { findCycleThrough, topologicalOrder } from './package-graph';
import { PackagePolicyUses } from './package-policy-uses';
import { PackageRepository, type PackageRecord, type PackageVersionRecord } from './package.repository';
import { LineTooLongError, readLineBatches, UploadTooLargeError } from '../../platform/http/stream-lines';

export interface CombinationDefinition {
  op: CombineOp;
  packages: string[];
}

export interface CreatePackageInput {
  key: string;
  name: string;
  kind: PackageKind;
  rule?: Record<string, unknown>;
  op?: CombineOp;
  packages?: string[];
}

export interface UpdatePackageInput {
  name?: string;
  rule?: Record<string, unknown>;
  op?: CombineOp;
  packages?: string[];
}

export interface MemberUploadReport {
  isStored: boolean;
  accepted: number;
  rejected: number;
  unknown: number;
  members: number;
  problems: LineProblem[];
  unknownUsers: { line: number; userKey: string }[];
  package?: PackageRecord;
}

export type RecomputePayload = { cause: 'profiles' | 'packages'; changedKeys: string[]; token: string };

class PackageWriteConflict extends Error {}

function ruleErrors(rule: unknown, field = 'rule'): FieldProblem[] {
  const errors = validateRule(rule);
  const byPath = new Map<string, string[]>();
  for (const e of errors) {
    const path = `${field}${e.path.slice(1)}`;
    byPath.set(path, [...(byPath.get(path) ?? []), e.message]);
  }
  return [...byPath].map(([f, problems]) => ({ field: f, problems }));
}

/**
 * User packages: creation and definition changes, member uploads, versioned bitmap writes and
 * recomputation of rule and combination packages when their inputs change.
 */
@Injectable()
export class PackageService {
  private readonly logger = new Logger('Packages');

  constructor(
    private readonly repository: PackageRepository,
    private readonly policyUses: PackagePolicyUses,
    private readonly listeners: ListenerIndexService,
    private readonly membership: AudienceMembershipService,
    private readonly bus: ConfigChangeBus,
    private readonly jobs: JobsService,
    @Inject(DATABASE) private readonly database: Transactions,
    @Inject(PROCESS_ROLE) private readonly role: ProcessRole,
  ) {}

  list(): Promise<PackageRecord[]> {
    return this.repository.list();
  }

  async get(key: string): Promise<ServiceResult<PackageRecord>> {
    const found = await this.repository.findByKey(key);
    return found ? ok(found) : { kind: 'not-found', message: `package '${key}' does not exist` };
  }

  async versions(key: string): Promise<ServiceResult<PackageVersionRecord[]>> {
    const found = await this.repository.findByKey(key);
    if (!found) return { kind: 'not-found', message: `package '${key}' does not exist` };
    return ok(await this.repository.versions(found.id));
  }

  async create(input: CreatePackageInput): Promise<ServiceResult<PackageRecord>> {
    const checked = await this.checkDefinition(input.key, input.kind, input);
    if (checked.kind !== 'ok') return checked;
    if (await this.repository.findByKey(input.key)) return { kind: 'conflict', message: `package '${input.key}' already exists` };
    if (input.kind === 'rule') await this.listeners.refresh();
    try {
      await this.bus.change(async (manager) => {
        const row = await this.repository.insert({ key: input.key, name: input.name, kind: input.kind, definition: checked.value }, manager);
        if (!row) throw new PackageWriteConflict();
        if (input.kind !== 'upload') {
          const bitmap = await this.materialise(row.kind, row.definition, manager);
          await this.repository.writeVersion(manager, row.id, serializeBitmap(bitmap), bitmap.size);
        }
      });
    } catch (error) {
      if (error instanceof PackageWriteConflict) return { kind: 'conflict', message: `package '${input.key}' already exists` };
      throw error;
    }
    await this.afterWrite([]);
    return ok((await this.repository.findByKey(input.key))!);
  }

  async update(key: string, input: UpdatePackageInput): Promise<ServiceResult<PackageRecord>> {
    const found = await this.repository.findByKey(key);
    if (!found) return { kind: 'not-found', message: `package '${key}' does not exist` };
    const isDefinitionChange = input.rule !== undefined || input.op !== undefined || input.packages !== undefined;
    let definition: unknown = found.definition;
    if (isDefinitionChange) {
      if (found.kind === 'upload' || found.kind === 'lookalike') {
        return invalid(input.rule !== undefined ? 'rule' : 'packages', `package '${key}' is a ${found.kind} package; only rule and combination packages have a definition to change`);
      }
      const current = (found.definition ?? {}) as Partial<CombinationDefinition>;
      const merged = found.kind === 'combination' ? { op: input.op ?? current.op, packages: input.packages ?? current.packages, rule: input.rule } : { rule: input.rule, op: input.op, packages: input.packages };
      const checked = await this.checkDefinition(key, found.kind, merged);
      if (checked.kind !== 'ok') return checked;
      definition = checked.value;
    }
    if (found.kind === 'rule') await this.listeners.refresh();
    await this.bus.change(async (manager) => {
      const locked = await this.repository.findByKey(key, manager, { forUpdate: true });
      if (!locked) return;
      await this.repository.updateDefinition(locked.id, { name: input.name ?? locked.name, definition }, manager);
      if (isDefinitionChange) {
        const bitmap = await this.materialise(locked.kind, definition, manager);
        await this.repository.writeVersion(manager, locked.id, serializeBitmap(bitmap), bitmap.size);
      }
    });
    await this.afterWrite(isDefinitionChange ? [key] : []);
    return ok((await this.repository.findByKey(key))!);
  }

  async delete(key: string): Promise<ServiceResult<null>> {
    if (!(await this.repository.findByKey(key))) return { kind: 'not-found', message: `package '${key}' does not exist` };
    let refusal: ServiceResult<null> | null = null;
    try {
      // Checked under the package's row lock, in the deleting transaction, so a use added meanwhile is seen.
      await this.bus.change(async (manager) => {
        const locked = await this.repository.findByKey(key, manager, { forUpdate: true });
        if (!locked) {
          refusal = { kind: 'not-found', message: `package '${key}' does not exist` };
          throw new PackageWriteConflict();
        }
        const policies = await this.policyUses.find(key, manager);
        const combinations = await this.repository.dependentsOf(key, manager);
        if (policies.length > 0 || combinations.length > 0) {
          const uses = [
            ...policies.map((p) => `delivery policy of slot '${p.slotKey}'${p.branches.length ? ` (branch ${p.branches.map((b) => `'${b}'`).join(', ')})` : ''}`),
            ...combinations.map((c) => `combination package '${c}'`),
          ];
          refusal = { kind: 'conflict', message: `package '${key}' is in use by ${uses.join('; ')}`, details: { policies, packages: combinations } };
          throw new PackageWriteConflict();
        }
        await this.repository.delete(locked.id, manager);
      });
    } catch (error) {
      if (error instanceof PackageWriteConflict && refusal) return refusal;
      throw error;
    }
    await this.afterWrite([]);
    return ok(null);
  }

  /** Makes an older version the newest one again (a new version with the old members). */
  async rollback(key: string, version: number): Promise<ServiceResult<PackageRecord>> {
    const found = await this.repository.findByKey(key);
    if (!found) return { kind: 'not-found', message: `package '${key}' does not exist` };
    const bitmap = await this.repository.versionBitmap(found.id, version);
    if (!bitmap) return invalid('version', `package '${key}' has no stored version ${version} (see GET /v1/packages/${key}/versions)`);
    const decoded = deserializeBitmap(bitmap);
    if (decoded.kind === 'error') return { kind: 'conflict', message: `version ${version} of '${key}' is unreadable: ${decoded.message}` };
    await this.bus.change((manager) => this.repository.writeVersion(manager, found.id, bitmap, decoded.bitmap.size));
    await this.afterWrite([key]);
    return ok((await this.repository.findByKey(key))!);
  }

  /**
   * Replaces an upload package's members with a streamed id list (plain, one id a line, or CSV
   * with a header naming the id column). Malformed lines are reported by line number; with any,
   * nothing is stored unless `isPartial`. Ids without a profile are reported and left out.
   */
  async uploadMembers(key: string, body: AsyncIterable<Buffer | string>, options: { isPartial: boolean; limitBytes: number }): Promise<ServiceResult<MemberUploadReport>> {
    const found = await this.repository.findByKey(key);
    if (!found) return { kind: 'not-found', message: `package '${key}' does not exist` };
    if (found.kind !== 'upload') return { kind: 'conflict', message: `package '${key}' is a ${found.kind} package; only upload packages take member lists` };
    await this.listeners.refresh();
    const reader = createIdListReader();
    let members = new Uint32Array(1 << 16);
    let memberCount = 0;
    const report: MemberUploadReport = { isStored: false, accepted: 0, rejected: 0, unknown: 0, members: 0, problems: [], unknownUsers: [] };
    let lineNo = 0;
    try {
      for await (const lines of readLineBatches(body, options.limitBytes)) {
        for (const line of lines) {
          lineNo++;
          const parsed = reader.pushLine(line);
          if (parsed.kind === 'skip') continue;
          if (parsed.kind === 'error') {
            report.rejected++;
            if (report.problems.length < MAX_REPORTED_PROBLEMS) report.problems.push({ line: lineNo, message: parsed.message });
            continue;
          }
          report.accepted++;
          const idx = this.listeners.userIdx(parsed.id);
          if (idx === undefined) {
            report.unknown++;
            if (report.unknownUsers.length < MAX_REPORTED_PROBLEMS) report.unknownUsers.push({ line: lineNo, userKey: parsed.id });
            continue;
          }
          if (memberCount === members.length) {
            const grown = new Uint32Array(members.length * 2);
            grown.set(members);
            members = grown;
          }
          members[memberCount++] = idx;
        }
      }
    } catch (error) {
      if (error instanceof UploadTooLargeError) return { kind: 'too-large', message: error.message };
      if (error instanceof LineTooLongError) return invalid('body', error.message);
      throw error;
    }
    const bitmap = new RoaringBitmap32(members.subarray(0, memberCount));
    report.members = bitmap.size;
    if (report.rejected > 0 && !options.isPartial) return ok(report);
    await this.bus.change((manager) => this.repository.writeVersion(manager, found.id, serializeBitmap(bitmap), bitmap.size));
    report.isStored = true;
    await this.afterWrite([key]);
    report.package = (await this.repository.findByKey(key)) ?? undefined;
    return ok(report);
  }

  /** Enqueues recomputation of the rule packages (and what depends on them) after a profile import. */
  async profilesChanged(revision: number): Promise<void> {
    await this.jobs.enqueue('audiences.recompute-packages', { cause: 'profiles', changedKeys: [], token: `profiles.r${revision}` });
  }

  @JobHandler('audiences.recompute-packages')
  async handleRecompute(payload: RecomputePayload): Promise<void> {
    const graph = await this.repository.combinationInputs();
    const dependents = new Map<string, string[]>();
    for (const [combination, inputs] of graph) for (const input of inputs) dependents.set(input, [...(dependents.get(input) ?? []), combination]);
    const seeds = payload.cause === 'profiles' ? await this.repository.ruleKeys() : payload.changedKeys;
    const affected = new Set<string>(payload.cause === 'profiles' ? seeds : []);
    const stack = [...seeds];
    while (stack.length > 0) {
      for (const d of dependents.get(stack.pop()!) ?? []) {
        if (!affected.has(d)) {
          affected.add(d);
          stack.push(d);
        }
      }
    }
    if (affected.size === 0) return;
    if ([...affected].some((k) => !graph.has(k))) await this.listeners.refresh();
    for (const key of topologicalOrder(affected, graph)) {
      const changed = await this.recompute(key);
      if (changed) this.logger.log(`package ${key} recomputed (${payload.token})`);
    }
    if (this.role !== 'worker') await this.membership.reload();
  }

  /** Recomputes one rule or combination package; writes a new version only when its members changed. */
  async recompute(key: string): Promise<boolean> {
    let version = 0;
    await this.database.transaction(async (manager) => {
      const locked = await this.repository.findByKey(key, manager, { forUpdate: true });
      if (!locked || (locked.kind !== 'rule' && locked.kind !== 'combination')) return;
      const bitmap = await this.materialise(locked.kind, locked.definition, manager);
      const current = await this.repository.currentBitmap(locked.id, manager);
      if (current && locked.version > 0) {
        const decoded = deserializeBitmap(current);
        if (decoded.kind === 'ok' && decoded.bitmap.isEqual(bitmap)) return;
      }
      await this.repository.writeVersion(manager, locked.id, serializeBitmap(bitmap), bitmap.size);
      version = await this.bus.bumpVersion(manager);
    });
    if (version > 0) await this.bus.publish(version);
    return version > 0;
  }

  private async materialise(kind: PackageKind, definition: unknown, manager: EntityManager): Promise<RoaringBitmap32> {
    if (kind === 'rule') {
      const result = evaluateRule(this.listeners.index, definition);
      // Definitions are validated before they are stored; an invalid stored rule matches nobody rather than failing a job forever.
      return result.kind === 'ok' ? result.bitmap : new RoaringBitmap32();
    }
    const { op, packages } = definition as CombinationDefinition;
    const rows = await this.repository.bitmaps(packages, manager);
    const byKey = new Map(rows.map((r) => [r.key, r.bitmap]));
    const inputs: ReadonlyRoaringBitmap32[] = packages.map((k) => {
      const raw = byKey.get(k);
      if (!raw) return new RoaringBitmap32();
      const decoded = deserializeBitmap(raw);
      return decoded.kind === 'ok' ? decoded.bitmap : new RoaringBitmap32();
    });
    return combine(op, inputs);
  }

  /** Validates a definition for its kind and returns what to store. */
  private async checkDefinition(key: string, kind: PackageKind, input: { rule?: unknown; op?: CombineOp; packages?: string[] }): Promise<ServiceResult<unknown>> {
    const stray = (fields: string[]): FieldProblem[] =>
      fields.filter((f) => (input as Record<string, unknown>)[f] !== undefined).map((f) => ({ field: f, problems: [`${f} does not apply to ${kind} packages`] }));
    switch (kind) {
      case 'lookalike':
        return invalid('kind', 'lookalike packages are created by the lookalike endpoint');
      case 'upload': {
        const errors = stray(['rule', 'op', 'packages']);
        return errors.length > 0 ? { kind: 'invalid', errors } : ok(null);
      }
      case 'rule': {
        if (input.rule === undefined) return invalid('rule', 'rule packages need a rule');
        const errors = [...stray(['op', 'packages']), ...ruleErrors(input.rule)];
        return errors.length > 0 ? { kind: 'invalid', errors } : ok(input.rule);
      }
      case 'combination': {
        const errors: FieldProblem[] = stray(['rule']);
        if (input.op === undefined) errors.push({ field: 'op', problems: ['combination packages need op (union, intersection or difference)'] });
        if (input.packages === undefined) errors.push({ field: 'packages', problems: ['combination packages need packages (input package keys)'] });
        if (errors.length > 0) return { kind: 'invalid', errors };
        const packages = input.packages!;
        const duplicates = packages.filter((p, i) => packages.indexOf(p) !== i);
        if (duplicates.length > 0) return invalid('packages', `package(s) listed twice: ${[...new Set(duplicates)].join(', ')}`);
        const existing = new Set((await this.repository.findManyByKeys(packages)).map((p) => p.key));
        const unknown = packages.filter((p) => p !== key && !existing.has(p));
        if (unknown.length > 0) return invalid('packages', `unknown package(s): ${unknown.join(', ')}`);
        const graph = await this.repository.combinationInputs();
        graph.set(key, packages);
        const cycle = findCycleThrough(key, graph);
        if (cycle) return invalid('packages', `cycle: ${cycle.join(' → ')}`);
        return ok({ op: input.op, packages });
      }
    }
  }

  private async afterWrite(changedKeys: string[]): Promise<void> {
    if (changedKeys.length > 0) {
      await this.jobs.enqueue('audiences.recompute-packages', { cause: 'packages', changedKeys, token: `packages.${changedKeys.join(',')}.${Date.now()}` });
    }
    // Read-your-writes on this node; other nodes follow through the change event and their poll.
    if (this.role !== 'worker') await this.membership.reload();
  }
}
