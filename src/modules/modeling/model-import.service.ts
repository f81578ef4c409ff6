import { Injectable } from '@nestjs/common';
import { xgboostJsonToModel } from '../../engine/gbdt';
import { validationError } from '../../platform/http/validation';
import { exportGbdtToOnnx } from '../../platform/onnx/gbdt-onnx-export';
import { OnnxScorer } from '../../platform/onnx/onnx-scorer';
import { ModelRegistryService } from '../models';
import { type ModelVersion } from '../models';
import type { ImportModelDto } from './modeling.dto';

/** Brings models trained elsewhere into the registry: an ONNX file as is, an XGBoost JSON model converted to ONNX. */
@Injectable()
export class ModelImportService {
  constructor(private readonly registry: ModelRegistryService) {}

  async import(body: ImportModelDto): Promise<{ version: ModelVersion; activated: boolean }> {
    let artifact: Buffer;
    let featureNames = body.featureNames ?? null;
    let kind: 'gbdt' | 'onnx';
    const lineage: Record<string, unknown> = { source: 'import', format: body.format };
    if (body.format === 'xgboost-json') {
      if (!body.xgboost) throw validationError([{ field: 'xgboost', problems: ['xgboost is required with format xgboost-json'] }]);
      const converted = xgboostJsonToModel(body.xgboost);
      if (converted.kind === 'invalid') throw validationError([{ field: 'xgboost', problems: [converted.reason] }]);
      const model = converted.model;
      if (featureNames && featureNames.length !== model.featureCount) {
        throw validationError([{ field: 'featureNames', problems: [`the model has ${model.featureCount} features, got ${featureNames.length} names`] }]);
      }
      featureNames ??= model.featureNames;
      artifact = Buffer.from(exportGbdtToOnnx({ ...model, featureNames }));
      kind = 'gbdt';
      lineage.trees = model.trees.length;
      lineage.baseMargin = model.baseMargin;
    } else {
      if (!body.onnxBase64) throw validationError([{ field: 'onnxBase64', problems: ['onnxBase64 is required with format onnx'] }]);
      artifact = Buffer.from(body.onnxBase64, 'base64');
      kind = 'onnx';
    }
    // The model must load and score before it reaches the registry (and every API node).
    let featureCount: number | null;
    try {
      const scorer = await OnnxScorer.load(artifact);
      featureCount = scorer.featureCount ?? featureNames?.length ?? null;
      if (featureCount === null) throw new Error('the input width is not fixed; pass featureNames');
      await scorer.predict(new Float32Array(featureCount).fill(NaN), 1);
      await scorer.release();
    } catch (error) {
      throw validationError([{ field: body.format === 'onnx' ? 'onnxBase64' : 'xgboost', problems: [`the model does not load or score: ${error instanceof Error ? error.message : String(error)}`] }]);
    }
    if (featureNames && featureNames.length !== featureCount) {
      throw validationError([{ field: 'featureNames', problems: [`the model has ${featureCount} inputs, got ${featureNames.length} names`] }]);
    }
    lineage.features = featureNames ?? Array.from({ length: featureCount }, (_, i) => `f${i}`);
    if (body.campaignIds) lineage.campaignIds = body.campaignIds;
    const active = await this.registry.active(body.modelId);
    const activate = body.activate ?? active === null;
    const version = await this.registry.registerVersion({
      modelId: body.modelId,
      kind,
      campaignId: body.campaignIds?.length === 1 ? body.campaignIds[0] : null,
      metrics: {},
      lineage,
      artifact,
    });
    if (activate) await this.registry.promote(body.modelId, version.version);
    return { version: (await this.registry.version(body.modelId, version.version))!, activated: activate };
  }
}
