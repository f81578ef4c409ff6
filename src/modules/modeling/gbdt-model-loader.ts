import type { CompiledCampaign } from '../../engine/policy/snapshot';
import { OnnxScorer } from '../../platform/onnx/onnx-scorer';
import type { CandidateModel, ScoringInput } from '../delivery';
import type { ModelVersion } from '../models';
import { encodeRows, flattenRow, type RawRow, type TransformSpec } from './feature-pipeline';
import { GbdtLrPredictor, type GbdtLrArtifact } from './gbdt-lr';

/** Turns a decision's input into the model's feature row. */
export type FeatureEncoder = (row: RawRow) => Float32Array;

/**
 * The encoder a version's lineage describes: the modeling pipeline's transform when there is one;
 * for imported models, each named feature is looked up among the flattened raw values (platform,
 * hour, user.<attribute>, ctx.<key>); a name that isn't there or isn't numeric is missing (NaN).
 */
export function encoderFor(lineage: Record<string, unknown>, featureCount: number | null): FeatureEncoder {
  const transform = lineage.transform as TransformSpec | undefined;
  if (transform && Array.isArray(transform.variables)) return (row) => encodeRows(transform, [row]);
  const names = Array.isArray(lineage.features) ? (lineage.features as unknown[]).map(String) : [];
  const width = featureCount ?? names.length;
  return (row) => {
    const flat = flattenRow(row);
    const out = new Float32Array(width).fill(NaN);
    names.slice(0, width).forEach((name, i) => {
      const value = flat.get(name);
      if (typeof value === 'number') out[i] = value;
    });
    return out;
  };
}

/**
 * A CandidateModel over an ONNX CTR model (kind 'gbdt' from the modeling pipeline or an XGBoost
 * import, kind 'onnx' for an imported ONNX file). A model trained for some campaigns
 * (lineage.campaignIds) scores only those; other candidates stay unscored and rank after them.
 */
export async function loadOnnxCandidateModel(version: ModelVersion): Promise<CandidateModel> {
  if (!version.artifact) throw new Error(`model ${version.modelId} v${version.version} has no artifact`);
  const scorer = await OnnxScorer.load(version.artifact);
  const encode = encoderFor(version.lineage, scorer.featureCount);
  const campaignIds = Array.isArray(version.lineage.campaignIds) ? new Set((version.lineage.campaignIds as unknown[]).map(String)) : null;
  return {
    modelId: version.modelId,
    version: String(version.version),
    async score(input: ScoringInput, candidates: readonly CompiledCampaign[]): Promise<Map<string, number>> {
      const scored = campaignIds ? candidates.filter((c) => campaignIds.has(c.id)) : candidates;
      const scores = new Map<string, number>();
      if (scored.length === 0) return scores;
      const row = encode({ atMs: input.nowMs, platform: input.platform, profile: input.profile, context: input.context });
      const [p] = await scorer.predict(row, 1);
      for (const campaign of scored) scores.set(campaign.id, p);
      return scores;
    },
  };
}

/** A CandidateModel over a GBDT+LR artifact: scored synchronously in-process (tree routing + FTRL weights). */
export async function loadGbdtLrCandidateModel(version: ModelVersion): Promise<CandidateModel> {
  if (!version.artifact) throw new Error(`model ${version.modelId} v${version.version} has no artifact`);
  const artifact = JSON.parse(version.artifact.toString('utf8')) as GbdtLrArtifact;
  const predictor = GbdtLrPredictor.from(artifact);
  const encode = encoderFor({ ...version.lineage, transform: artifact.transform ?? undefined, features: artifact.features }, artifact.features.length);
  const campaignIds = Array.isArray(version.lineage.campaignIds) ? new Set((version.lineage.campaignIds as unknown[]).map(String)) : null;
  return {
    modelId: version.modelId,
    version: String(version.version),
    score(input: ScoringInput, candidates: readonly CompiledCampaign[]): Map<string, number> {
      const scored = campaignIds ? candidates.filter((c) => campaignIds.has(c.id)) : candidates;
      const scores = new Map<string, number>();
      if (scored.length === 0) return scores;
      const [p] = predictor.predict(encode({ atMs: input.nowMs, platform: input.platform, profile: input.profile, context: input.context }), 1);
      for (const campaign of scored) scores.set(campaign.id, p);
      return scores;
    },
  };
}
