import type { FieldProblem } from '../../platform/http/validation';

/**
 * When the decision path's `model` method uses the CF scorer. A branch names `modelId` (default
 * 'cf'); listeners with fewer than `minListenerTags` profile tags (genres + artists + languages)
 * and campaigns with fewer than `minCampaignImpressions` impressions of feedback are scored by
 * item-CF; everything else by `warmModelId` when that model is loaded on the node.
 */
export interface ColdStartSettings {
  modelId: string;
  warmModelId: string | null;
  minListenerTags: number;
  minCampaignImpressions: number;
}

export const DEFAULT_COLD_START: ColdStartSettings = { modelId: 'cf', warmModelId: null, minListenerTags: 3, minCampaignImpressions: 1000 };

export function checkColdStartSettings(input: unknown): { kind: 'ok'; value: ColdStartSettings } | { kind: 'invalid'; errors: FieldProblem[] } {
  const errors: FieldProblem[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { kind: 'invalid', errors: [{ field: 'body', problems: ['expected an object'] }] };
  const body = input as Record<string, unknown>;
  const known = new Set(Object.keys(DEFAULT_COLD_START));
  for (const field of Object.keys(body)) if (!known.has(field)) errors.push({ field, problems: [`property ${field} should not exist`] });
  const out: ColdStartSettings = { ...DEFAULT_COLD_START };
  if (body.modelId !== undefined) {
    if (typeof body.modelId !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(body.modelId)) errors.push({ field: 'modelId', problems: ['modelId must be 1-100 letters, digits, dot, dash or underscore'] });
    else out.modelId = body.modelId;
  }
  if (body.warmModelId !== undefined) {
    if (body.warmModelId !== null && (typeof body.warmModelId !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(body.warmModelId))) {
      errors.push({ field: 'warmModelId', problems: ['warmModelId must be null or a model id'] });
    } else out.warmModelId = body.warmModelId as string | null;
  }
  for (const field of ['minListenerTags', 'minCampaignImpressions'] as const) {
    if (body[field] === undefined) continue;
    const v = body[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) errors.push({ field, problems: [`${field} must be an integer >= 0`] });
    else out[field] = v;
  }
  if (out.warmModelId !== null && out.warmModelId === out.modelId) errors.push({ field: 'warmModelId', problems: ['warmModelId must differ from modelId'] });
  return errors.length > 0 ? { kind: 'invalid', errors } : { kind: 'ok', value: out };
}
