import { Injectable } from '@nestjs/common';
import type { ReadonlyRoaringBitmap32 } from 'roaring';
import { aggregate, compare, groupBy, overlap, type CompareResult, type OverlapResult } from '../../engine/targeting/analysis';
import { attributeSpec, type ProfileAttribute } from '../../engine/targeting/profile-schema';
import { evaluateRule } from '../../engine/targeting/rule-expr';
import type { FieldProblem } from '../../platform/http/validation';
import { invalid, ok, type ServiceResult } from '../../platform/http/service-result';
import { AudienceMembershipService } from './audience-membership.service';
import { ListenerIndexService } from './listener-index.service';

export interface AnalyzeInput {
  package?: string;
  rule?: Record<string, unknown>;
  groupBy?: string[];
  aggregate?: string[];
  bins?: Record<string, number[]>;
  limit?: number;
}

export interface AnalyzeReport {
  count: number;
  groups: { attr: ProfileAttribute; total: number; missing: number | null; rows: { value: string; count: number; share: number }[] }[];
  aggregates: { attr: ProfileAttribute; count: number; sum: number; avg: number | null; min: number | null; max: number | null }[];
}

/** Audience analysis on this node's in-memory index and package bitmaps: no database query per request. */
@Injectable()
export class AudienceAnalysisService {
  constructor(
    private readonly listeners: ListenerIndexService,
    private readonly membership: AudienceMembershipService,
  ) {}

  analyze(input: AnalyzeInput): ServiceResult<AnalyzeReport> {
    if ((input.package === undefined) === (input.rule === undefined)) {
      return invalid(input.package === undefined ? 'package' : 'rule', 'give exactly one of package or rule');
    }
    const audience = input.package !== undefined ? this.packageBitmap(input.package, 'package') : this.ruleBitmap(input.rule!);
    if (audience.kind !== 'ok') return audience;
    const errors: FieldProblem[] = [];
    const report: AnalyzeReport = { count: audience.value.size, groups: [], aggregates: [] };
    (input.groupBy ?? []).forEach((attr, i) => {
      const spec = attributeSpec(attr);
      if (!spec) return errors.push({ field: `groupBy.${i}`, problems: [`unknown attribute '${attr}'`] });
      if (spec.kind === 'numeric' && !input.bins?.[attr]) return errors.push({ field: `bins.${attr}`, problems: [`numeric attribute '${attr}' needs bins to group by`] });
      const result = groupBy(this.listeners.index, audience.value, attr, { bins: input.bins?.[attr], limit: input.limit });
      if (result.kind === 'error') return errors.push({ field: spec.kind === 'numeric' ? `bins.${attr}` : `groupBy.${i}`, problems: [result.message] });
      report.groups.push({ attr: result.attr, total: result.total, missing: result.missing, rows: result.rows });
    });
    (input.aggregate ?? []).forEach((attr, i) => {
      const result = aggregate(this.listeners.index, audience.value, attr);
      if (result.kind === 'error') return errors.push({ field: `aggregate.${i}`, problems: [result.message] });
      const { kind: _kind, ...values } = result;
      report.aggregates.push(values);
    });
    errors.push(...binProblems(input.bins, input.groupBy ?? [], 'groupBy'));
    return errors.length > 0 ? { kind: 'invalid', errors } : ok(report);
  }

  overlap(keys: string[]): ServiceResult<OverlapResult> {
    const duplicates = keys.filter((k, i) => keys.indexOf(k) !== i);
    if (duplicates.length > 0) return invalid('packages', `package(s) listed twice: ${[...new Set(duplicates)].join(', ')}`);
    const named: Record<string, ReadonlyRoaringBitmap32> = {};
    const unknown: string[] = [];
    const snapshot = this.membership.current();
    for (const key of keys) {
      const bitmap = snapshot.bitmapOf(key);
      if (bitmap) named[key] = bitmap;
      else unknown.push(key);
    }
    if (unknown.length > 0) return invalid('packages', `unknown package(s): ${unknown.join(', ')}`);
    return ok(overlap(named));
  }

  compare(input: { a: string; b: string; attributes: string[]; bins?: Record<string, number[]> }): ServiceResult<Extract<CompareResult, { kind: 'ok' }>> {
    const a = this.packageBitmap(input.a, 'a');
    const b = this.packageBitmap(input.b, 'b');
    const errors: FieldProblem[] = [];
    if (a.kind === 'invalid') errors.push(...a.errors);
    if (b.kind === 'invalid') errors.push(...b.errors);
    input.attributes.forEach((attr, i) => {
      const spec = attributeSpec(attr);
      if (!spec) errors.push({ field: `attributes.${i}`, problems: [`unknown attribute '${attr}'`] });
      else if (spec.kind === 'numeric' && !input.bins?.[attr]) errors.push({ field: `bins.${attr}`, problems: [`numeric attribute '${attr}' needs bins to compare`] });
    });
    errors.push(...binProblems(input.bins, input.attributes, 'attributes'));
    if (errors.length > 0 || a.kind !== 'ok' || b.kind !== 'ok') return { kind: 'invalid', errors };
    const result = compare(this.listeners.index, a.value, b.value, input.attributes, { bins: input.bins });
    if (result.kind === 'error') return invalid('bins', result.message);
    return ok(result);
  }

  private packageBitmap(key: string, field: string): ServiceResult<ReadonlyRoaringBitmap32> {
    const bitmap = this.membership.current().bitmapOf(key);
    return bitmap ? ok(bitmap) : invalid(field, `unknown package '${key}'`);
  }

  private ruleBitmap(rule: Record<string, unknown>): ServiceResult<ReadonlyRoaringBitmap32> {
    const result = evaluateRule(this.listeners.index, rule);
    if (result.kind === 'ok') return ok(result.bitmap);
    return { kind: 'invalid', errors: result.errors.map((e) => ({ field: `rule${e.path.slice(1)}`, problems: [e.message] })) };
  }
}

/** Bins are only for numeric attributes that are being split. */
function binProblems(bins: Record<string, unknown> | undefined, attrs: readonly string[], listName: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const attr of Object.keys(bins ?? {})) {
    const spec = attributeSpec(attr);
    if (!attrs.includes(attr)) problems.push({ field: `bins.${attr}`, problems: [`'${attr}' is not in ${listName}`] });
    else if (spec && spec.kind !== 'numeric') problems.push({ field: `bins.${attr}`, problems: [`bins apply to numeric attributes; '${attr}' is ${spec.kind}`] });
  }
  return problems;
}
