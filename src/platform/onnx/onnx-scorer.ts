import * as ort from 'onnxruntime-node';
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from './gbdt-onnx-export';

/**
 * Scores rows with an ONNX CTR model of the shape `exportGbdtToOnnx` produces
 * (input `features` float32 [N, F], output `probability` float32 [N, 1]); imported models with the same names work too.
 */
export class OnnxScorer {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly featureCount: number | null,
  ) {}

  static async load(bytes: Uint8Array, options: ort.InferenceSession.SessionOptions = {}): Promise<OnnxScorer> {
    // One thread per run: a served model scores one row of a few hundred trees, where ORT's thread
    // pools cost more than they save (npm run bench:onnx-serving: about a third less CPU per decision
    // with eight models); the server's concurrency comes from concurrent requests.
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', ...options });
    const meta = session.inputMetadata[0];
    const shape = meta && meta.isTensor ? meta.shape : [];
    const width = shape[1];
    return new OnnxScorer(session, typeof width === 'number' ? width : null);
  }

  /** Probabilities for `rowCount` rows of a row-major float32 matrix (NaN = missing). */
  async predict(values: Float32Array, rowCount: number): Promise<Float32Array> {
    if (rowCount === 0) return new Float32Array(0);
    const width = values.length / rowCount;
    if (!Number.isInteger(width) || (this.featureCount !== null && width !== this.featureCount)) {
      throw new RangeError(`expected ${rowCount} rows of ${this.featureCount ?? 'F'} features, got ${values.length} values`);
    }
    const input = new ort.Tensor('float32', values, [rowCount, width]);
    const out = await this.session.run({ [ONNX_INPUT_NAME]: input });
    const tensor = out[ONNX_OUTPUT_NAME];
    return tensor.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
