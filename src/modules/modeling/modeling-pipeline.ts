import { Injectable, Logger } from '@nestjs/common';
import {
  dumpModel,
  featureImportance,
  modelFromJson,
  modelToJson,
  predictProba,
  trainGbdt,
  type GbdtModel,
  type GbdtModelJson,
  type GbdtParams,
  type RoundHistory,
} from '../../engine/gbdt';
import { auc, calibration, calibrationCurve, logloss, normalizedEntropy, rmse, rocCurve } from '../../engine/metrics/classification';
import { createRng } from '../../engine/util/rng';
import { exportGbdtToOnnx } from '../../platform/onnx/gbdt-onnx-export';
import { OnnxScorer } from '../../platform/onnx/onnx-scorer';
import { PolicyService } from '../catalog';
import { ModelRegistryService } from '../models';
import { GbdtLrPredictor, trainGbdtLr, type GbdtLrArtifact } from './gbdt-lr';
import { columnNames, encodeRows, fitTransform, selectVariables, type RawExample, type TransformSpec, type VariableReport } from './feature-pipeline';
import { type ModelingRun, type ModelingStage, ModelingRunsRepository } from './modeling-runs.repository';
import { ModelingSettings } from './modeling-settings';

export interface AssembleOutput {
  insufficient: string | null;
  window: { fromMs: number; toMs: number };
  splitAtMs: number;
  train: RawExample[];
  valid: RawExample[];
  positives: number;
  total: number;
  positiveRate: number;
}

export interface TransformOutput {
  spec: TransformSpec;
  columns: string[];
}

export interface CriteriaOutput {
  spec: TransformSpec;
  columns: string[];
  variables: VariableReport[];
  criterion: string;
  minScore: number;
}

export interface ModelMetrics {
  auc: number;
  logloss: number;
  rmse: number;
  normalizedEntropy: number;
  calibration: number;
  trainAuc: number;
  trainRows: number;
  validRows: number;
}

export interface ModelOutput {
  model: GbdtModelJson;
  params: Partial<GbdtParams>;
  metrics: ModelMetrics;
  history: RoundHistory[];
  bestRound: number;
  roc: { fpr: number; tpr: number }[];
  calibrationCurve: { meanPrediction: number; observedRate: number; count: number }[];
  importance: { feature: string; gain: number; totalGain: number; splits: number }[];
  treeDump: string;
  treeCount: number;
  validPredictions: number[];
  /** Variant gbdt-lr: the LR layer over the trees' leaves (metrics and predictions above are the LR's). */
  gbdtLr?: GbdtLrArtifact;
}

export interface ExportOutput {
  bytes: number;
  maxAbsDiff: number;
  rows: number;
}

export interface RegisterOutput {
  modelId: string;
  version: number;
  promoted: boolean;
  reason: string;
  previousActive: { version: number; auc: number | null } | null;
  /** Promotion mode bandit-arm: the slots whose bandit branches this model joined as a new arm. */
  joinedBandits?: string[];
}

export interface ReportData {
  runId: string;
  modelId: string;
  campaignId: string;
  version: number;
  promoted: boolean;
  promotionReason: string;
  createdAt: string;
  data: { total: number; trainRows: number; validRows: number; positives: number; positiveRate: number; window: { fromMs: number; toMs: number }; splitAtMs: number };
  variables: VariableReport[];
  criterion: string;
  minScore: number;
  columns: string[];
  metrics: ModelMetrics;
  roc: { fpr: number; tpr: number }[];
  calibrationCurve: { meanPrediction: number; observedRate: number; count: number }[];
  importance: { feature: string; gain: number; totalGain: number; splits: number }[];
  learningCurve: RoundHistory[];
  bestRound: number;
  params: Partial<GbdtParams>;
  treeCount: number;
  sampleTrees: string;
  onnx: ExportOutput;
}

/** Signals a run that cannot succeed with its data (too few examples): the run fails, without retries. */
export class RunAbandoned extends Error {}

/**
 * The stages of a modeling run. Each reads the outputs of the stages before it from
 * modeling_stage_outputs and returns its own output; ModelingService stores it, so a stage that
 * already has an output is never redone.
 */
@Injectable()
export class ModelingPipeline {
  private readonly logger = new Logger('ModelingPipeline');

  constructor(
    private readonly runs: ModelingRunsRepository,
    private readonly registry: ModelRegistryService,
    private readonly settings: ModelingSettings,
    private readonly policies: PolicyService,
  ) {}

  async runStage(run: ModelingRun, stage: ModelingStage): Promise<{ output: unknown; artifact: Buffer | null }> {
    switch (stage) {
      case 'assemble':
        return { output: await this.assemble(run), artifact: null };
      case 'transform':
        return { output: this.transform(await this.need<AssembleOutput>(run, 'assemble')), artifact: null };
      case 'criteria':
        return { output: this.criteria(await this.need<AssembleOutput>(run, 'assemble'), await this.need<TransformOutput>(run, 'transform')), artifact: null };
      case 'model':
        return { output: this.model(run, await this.need<AssembleOutput>(run, 'assemble'), await this.need<CriteriaOutput>(run, 'criteria')), artifact: null };
      case 'export':
        return this.export(await this.need<AssembleOutput>(run, 'assemble'), await this.need<CriteriaOutput>(run, 'criteria'), await this.need<ModelOutput>(run, 'model'));
      case 'register':
        return { output: await this.register(run), artifact: null };
      case 'report':
        return { output: await this.report(run), artifact: null };
    }
  }

  private async need<T>(run: ModelingRun, stage: ModelingStage): Promise<T> {
    const found = await this.runs.output<T>(run.runId, stage);
    if (!found) throw new Error(`stage ${stage} of run ${run.runId} has no output yet`);
    return found.output;
  }

  private async assemble(run: ModelingRun): Promise<AssembleOutput> {
    const s = this.settings;
    const toMs = Date.parse(run.createdAt) + 1;
    const fromMs = toMs - s.trainingWindowMs;
    const rows = await this.runs.labelledExamples(run.campaignId, fromMs, toMs, s.maxExamples);
    const examples: RawExample[] = rows.map((r) => ({
      atMs: Number(r.at_ms),
      label: Number(r.label) > 0 ? 1 : 0,
      platform: r.platform,
      // The decision log carries the profile only for model-ranked decisions; otherwise the stored profile is joined.
      profile: r.features?.user ?? r.profile ?? null,
      context: (r.features?.context ?? {}) as Record<string, unknown>,
    }));
    const total = examples.length;
    const positives = examples.reduce((sum, e) => sum + e.label, 0);
    const validCount = Math.max(1, Math.round(total * s.validFraction));
    const split = total - validCount;
    const train = examples.slice(0, split);
    const valid = examples.slice(split);
    const count = (list: RawExample[], label: 0 | 1) => list.filter((e) => e.label === label).length;
    let insufficient: string | null = null;
    if (total < s.minExamples) insufficient = `${total} labelled examples, ${s.minExamples} needed`;
    else if (positives < s.minPositives) insufficient = `${positives} positive examples, ${s.minPositives} needed`;
    else if (total - positives < s.minNegatives) insufficient = `${total - positives} negative examples, ${s.minNegatives} needed`;
    else if (count(train, 1) === 0 || count(valid, 1) === 0 || count(train, 0) === 0 || count(valid, 0) === 0) {
      insufficient = 'the time-based split left a set without positives or negatives';
    }
    return {
      insufficient,
      window: { fromMs: examples[0]?.atMs ?? fromMs, toMs: examples[total - 1]?.atMs ?? toMs },
      splitAtMs: valid[0]?.atMs ?? toMs,
      train,
      valid,
      positives,
      total,
      positiveRate: total ? positives / total : 0,
    };
  }

  private transform(assembled: AssembleOutput): TransformOutput {
    const spec = fitTransform(assembled.train, this.settings.transform);
    return { spec, columns: columnNames(spec) };
  }

  private criteria(assembled: AssembleOutput, transformed: TransformOutput): CriteriaOutput {
    const { spec, report } = selectVariables(transformed.spec, assembled.train, this.settings.criteria);
    return { spec, columns: columnNames(spec), variables: report, criterion: this.settings.criteria.criterion, minScore: this.settings.criteria.minScore };
  }

  private model(run: ModelingRun, assembled: AssembleOutput, criteria: CriteriaOutput): ModelOutput {
    const params = { ...this.settings.gbdt, ...((run.options.params as Partial<GbdtParams> | undefined) ?? {}) };
    const dataset = (examples: RawExample[]) => ({
      rowCount: examples.length,
      featureCount: criteria.columns.length,
      values: encodeRows(criteria.spec, examples),
      labels: Float32Array.from(examples, (e) => e.label),
      featureNames: criteria.columns,
    });
    const train = dataset(assembled.train);
    const valid = dataset(assembled.valid);
    const trained = trainGbdt(train, params, { valid, rng: createRng(this.settings.seed) });
    if (trained.kind === 'invalid') throw new RunAbandoned(`training refused: ${trained.reason}`);
    const model = trained.model;
    const variant = run.options.variant === 'gbdt-lr' ? 'gbdt-lr' : 'gbdt';
    const gbdtLr = variant === 'gbdt-lr' ? trainGbdtLr(model, train, { passes: 3, transform: criteria.spec, features: criteria.columns }) : undefined;
    const lr = gbdtLr ? GbdtLrPredictor.from(gbdtLr) : null;
    const validP = lr ? lr.predict(valid.values, valid.rowCount) : predictProba(model, valid.values, valid.rowCount);
    const trainP = lr ? lr.predict(train.values, train.rowCount) : predictProba(model, train.values, train.rowCount);
    const roc = rocCurve(valid.labels, validP);
    const step = Math.max(1, Math.ceil(roc.length / 200));
    const gains = new Map(featureImportance(model, 'gain').map((f) => [f.featureName, f.value]));
    const totals = new Map(featureImportance(model, 'totalGain').map((f) => [f.featureName, f.value]));
    const splits = new Map(featureImportance(model, 'split').map((f) => [f.featureName, f.value]));
    const dump = dumpModel({ ...model, trees: model.trees.slice(0, 3) });
    return {
      model: modelToJson(model),
      params,
      metrics: {
        auc: auc(valid.labels, validP),
        logloss: logloss(valid.labels, validP),
        rmse: rmse(valid.labels, validP),
        normalizedEntropy: normalizedEntropy(valid.labels, validP),
        calibration: calibration(valid.labels, validP),
        trainAuc: auc(train.labels, trainP),
        trainRows: train.rowCount,
        validRows: valid.rowCount,
      },
      history: trained.history,
      bestRound: trained.bestRound,
      roc: roc.filter((_, i) => i % step === 0 || i === roc.length - 1).map((p) => ({ fpr: p.falsePositiveRate, tpr: p.truePositiveRate })),
      calibrationCurve: calibrationCurve(valid.labels, validP, 10),
      importance: [...totals.keys()].map((feature) => ({ feature, gain: gains.get(feature)!, totalGain: totals.get(feature)!, splits: splits.get(feature)! })),
      treeDump: dump,
      treeCount: model.trees.length,
      validPredictions: Array.from(validP),
      ...(gbdtLr ? { gbdtLr } : {}),
    };
  }

  private async export(assembled: AssembleOutput, criteria: CriteriaOutput, modelOut: ModelOutput): Promise<{ output: ExportOutput; artifact: Buffer }> {
    if (modelOut.gbdtLr) {
      // GBDT+LR is served in-process (leaf routing + FTRL weights); its artifact is the JSON, checked by reloading it.
      const bytes = Buffer.from(JSON.stringify(modelOut.gbdtLr));
      const served = GbdtLrPredictor.from(JSON.parse(bytes.toString('utf8')) as GbdtLrArtifact).predict(encodeRows(criteria.spec, assembled.valid), assembled.valid.length);
      let maxAbsDiff = 0;
      modelOut.validPredictions.forEach((p, i) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(p - served[i]))));
      if (!(maxAbsDiff <= this.settings.onnxTolerance)) throw new RunAbandoned(`reloaded GBDT+LR predictions differ by ${maxAbsDiff}`);
      return { output: { bytes: bytes.length, maxAbsDiff, rows: assembled.valid.length }, artifact: bytes };
    }
    const model = loadModel(modelOut.model);
    const bytes = Buffer.from(exportGbdtToOnnx(model));
    const scorer = await OnnxScorer.load(bytes);
    try {
      const values = encodeRows(criteria.spec, assembled.valid);
      const onnxP = await scorer.predict(values, assembled.valid.length);
      let maxAbsDiff = 0;
      modelOut.validPredictions.forEach((p, i) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(p - onnxP[i]))));
      if (!(maxAbsDiff <= this.settings.onnxTolerance)) throw new RunAbandoned(`ONNX predictions differ from the trainer's by ${maxAbsDiff}`);
      return { output: { bytes: bytes.length, maxAbsDiff, rows: assembled.valid.length }, artifact: bytes };
    } finally {
      await scorer.release();
    }
  }

  private async register(run: ModelingRun): Promise<RegisterOutput> {
    const assembled = await this.need<AssembleOutput>(run, 'assemble');
    const criteria = await this.need<CriteriaOutput>(run, 'criteria');
    const modelOut = await this.need<ModelOutput>(run, 'model');
    const exported = await this.runs.output<ExportOutput>(run.runId, 'export');
    if (!exported?.artifact) throw new Error(`run ${run.runId} has no ONNX artifact`);
    const active = await this.registry.active(run.modelId);
    const activeAuc = typeof active?.metrics.auc === 'number' ? active.metrics.auc : null;
    // A retry after a crash between registering and storing this output finds its own version instead of adding another.
    const existing = (await this.registry.versions(run.modelId)).find((v) => v.lineage.runId === run.runId);
    const version =
      existing ??
      (await this.registry.registerVersion({
        modelId: run.modelId,
        kind: run.options.variant === 'gbdt-lr' ? 'gbdt-lr' : 'gbdt',
        campaignId: run.campaignId,
        metrics: { ...modelOut.metrics, onnxMaxAbsDiff: exported.output.maxAbsDiff },
        lineage: {
          runId: run.runId,
          trigger: run.trigger,
          variant: run.options.variant === 'gbdt-lr' ? 'gbdt-lr' : 'gbdt',
          campaignIds: [run.campaignId],
          dataWindow: { from: new Date(assembled.window.fromMs).toISOString(), to: new Date(assembled.window.toMs).toISOString(), splitAt: new Date(assembled.splitAtMs).toISOString() },
          rows: { train: assembled.train.length, valid: assembled.valid.length, positives: assembled.positives },
          params: modelOut.params,
          features: criteria.columns,
          transform: criteria.spec,
        },
        artifact: exported.artifact,
      }));
    const candidateAuc = modelOut.metrics.auc;
    let promoted = false;
    let reason: string;
    if (existing && existing.status !== 'candidate') {
      promoted = existing.status === 'active';
      reason = `already ${existing.status}`;
    } else if (!active) {
      promoted = true;
      reason = 'first version of the model';
    } else if (activeAuc === null || candidateAuc > activeAuc + this.settings.promotionMarginAuc) {
      promoted = true;
      reason = `validation AUC ${candidateAuc.toFixed(4)} beats active v${active.version} (${activeAuc === null ? 'no AUC' : activeAuc.toFixed(4)}) by more than ${this.settings.promotionMarginAuc}`;
    } else {
      reason = `validation AUC ${candidateAuc.toFixed(4)} does not beat active v${active.version} (${activeAuc.toFixed(4)}) by more than ${this.settings.promotionMarginAuc}; kept as candidate`;
    }
    if (promoted && version.status !== 'active') await this.registry.promote(run.modelId, version.version);
    await this.runs.setVersion(run.runId, version.version, promoted);
    this.logger.log(`run ${run.runId}: ${run.modelId} v${version.version} ${promoted ? 'promoted' : 'candidate'} (${reason})`);
    const joinedBandits = (run.options.promotion ?? this.settings.promotion) === 'bandit-arm' && (promoted || active) ? await this.policies.joinBanditArm(run.campaignId, run.modelId, this.settings.banditArmFloor, null) : undefined;
    return { modelId: run.modelId, version: version.version, promoted, reason, previousActive: active ? { version: active.version, auc: activeAuc } : null, ...(joinedBandits ? { joinedBandits } : {}) };
  }

  private async report(run: ModelingRun): Promise<ReportData> {
    const assembled = await this.need<AssembleOutput>(run, 'assemble');
    const criteria = await this.need<CriteriaOutput>(run, 'criteria');
    const modelOut = await this.need<ModelOutput>(run, 'model');
    const exported = await this.need<ExportOutput>(run, 'export');
    const registered = await this.need<RegisterOutput>(run, 'register');
    return {
      runId: run.runId,
      modelId: run.modelId,
      campaignId: run.campaignId,
      version: registered.version,
      promoted: registered.promoted,
      promotionReason: registered.reason,
      createdAt: run.createdAt,
      data: {
        total: assembled.total,
        trainRows: assembled.train.length,
        validRows: assembled.valid.length,
        positives: assembled.positives,
        positiveRate: assembled.positiveRate,
        window: assembled.window,
        splitAtMs: assembled.splitAtMs,
      },
      variables: criteria.variables,
      criterion: criteria.criterion,
      minScore: criteria.minScore,
      columns: criteria.columns,
      metrics: modelOut.metrics,
      roc: modelOut.roc,
      calibrationCurve: modelOut.calibrationCurve,
      importance: modelOut.importance,
      learningCurve: modelOut.history,
      bestRound: modelOut.bestRound,
      params: modelOut.params,
      treeCount: modelOut.treeCount,
      sampleTrees: modelOut.treeDump,
      onnx: exported,
    };
  }
}

export function loadModel(json: GbdtModelJson): GbdtModel {
  const loaded = modelFromJson(json);
  if (loaded.kind === 'invalid') throw new Error(`stored model is invalid: ${loaded.reason}`);
  return loaded.model;
}
