/**
 * npm run bench:onnx-serving — the ONNX session options of served models: eight GBDT sessions scored
 * per decision (what the `campaign-models` scorer does), one row each, with onnxruntime's default
 * thread pools against one thread per run (what OnnxScorer.load uses). Model: the committed
 * XGBoost fixture, converted to ONNX by the same code as model import.
 * Prints last: onnx-serving-bench: default_p99_ms=… single_p99_ms=… default_cpu_ms=… single_cpu_ms=… cpu_ratio=…
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { xgboostJsonToModel } from '../src/engine/gbdt';
import { exportGbdtToOnnx } from '../src/platform/onnx/gbdt-onnx-export';
import { OnnxScorer } from '../src/platform/onnx/onnx-scorer';

const MODELS_PER_DECISION = 8;
const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 3000);

async function measure(bytes: Uint8Array, options: Parameters<typeof OnnxScorer.load>[1]): Promise<{ p99Ms: number; cpuMs: number }> {
  const scorers = await Promise.all(Array.from({ length: MODELS_PER_DECISION }, () => OnnxScorer.load(bytes, options)));
  const row = new Float32Array(scorers[0].featureCount ?? 1).fill(0.5);
  const decide = () => Promise.all(scorers.map((s) => s.predict(row, 1)));
  for (let i = 0; i < 300; i++) await decide();
  const latencies: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < DECISIONS; i++) {
    const t = performance.now();
    await decide();
    latencies.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpuStart);
  await Promise.all(scorers.map((s) => s.release()));
  latencies.sort((a, b) => a - b);
  return { p99Ms: latencies[Math.floor(DECISIONS * 0.99)], cpuMs: (cpu.user + cpu.system) / 1000 / DECISIONS };
}

async function main(): Promise<void> {
  const imported = xgboostJsonToModel(JSON.parse(readFileSync(join(__dirname, '..', 'test', 'fixtures', 'xgboost', 'model.json'), 'utf8')));
  if (imported.kind !== 'ok') throw new Error(`fixture does not import: ${JSON.stringify(imported)}`);
  const bytes = exportGbdtToOnnx(imported.model);
  // Default ORT thread pools, as a session created without options would have them.
  const pooled = await measure(bytes, { intraOpNumThreads: 0, interOpNumThreads: 0 });
  const single = await measure(bytes, {});
  process.stdout.write(`# ${MODELS_PER_DECISION} models per decision, ${DECISIONS} decisions each; CPU ms per decision (all threads)\n`);
  process.stdout.write(
    `onnx-serving-bench: default_p99_ms=${pooled.p99Ms.toFixed(3)} single_p99_ms=${single.p99Ms.toFixed(3)} default_cpu_ms=${pooled.cpuMs.toFixed(3)} single_cpu_ms=${single.cpuMs.toFixed(3)} cpu_ratio=${(single.cpuMs / pooled.cpuMs).toFixed(2)}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`onnx-serving bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
