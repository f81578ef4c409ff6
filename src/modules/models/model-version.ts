export const MODEL_KINDS = ['ftrl', 'gbdt', 'gbdt-lr', 'cf', 'item2vec', 'onnx'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export type ModelStatus = 'candidate' | 'active' | 'retired';

/** One stored version of a model. `artifact` is only loaded by active()/version(); listings leave it null. */
export interface ModelVersion {
  modelId: string;
  version: number;
  kind: ModelKind;
  status: ModelStatus;
  campaignId: string | null;
  metrics: Record<string, unknown>;
  lineage: Record<string, unknown>;
  artifact: Buffer | null;
  artifactBytes: number;
  createdAt: string;
}

export interface ModelVersionRow {
  model_id: string;
  version: number;
  kind: ModelKind;
  status: ModelStatus;
  campaign_id: string | null;
  metrics: Record<string, unknown> | null;
  lineage: Record<string, unknown> | null;
  artifact?: Buffer | null;
  artifact_bytes: number | null;
  created_at: Date | string;
}

export function toModelVersion(row: ModelVersionRow): ModelVersion {
  return {
    modelId: row.model_id,
    version: Number(row.version),
    kind: row.kind,
    status: row.status,
    campaignId: row.campaign_id,
    metrics: row.metrics ?? {},
    lineage: row.lineage ?? {},
    artifact: row.artifact ?? null,
    artifactBytes: Number(row.artifact_bytes ?? 0),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** The JSON view of a version (no artifact bytes). */
export function versionView(v: ModelVersion): Omit<ModelVersion, 'artifact'> {
  const { artifact: _artifact, ...rest } = v;
  return rest;
}
