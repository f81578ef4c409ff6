import type { ReportData } from './modeling-pipeline';

/** Everything user- or data-derived goes through this before it reaches the page. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function num(x: number | null | undefined, digits = 4): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : Number(x.toFixed(digits)).toString();
}

interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
  /** Draw markers instead of a line. */
  dots?: boolean;
}

const W = 420;
const H = 260;
const PAD = { left: 48, right: 12, top: 14, bottom: 36 };

/** A line (or scatter) chart as inline SVG with axes, ticks and a legend. */
export function lineChart(title: string, series: Series[], axes: { x: string; y: string; xMin?: number; xMax?: number; yMin?: number; yMax?: number; diagonal?: boolean }): string {
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const xMin = axes.xMin ?? Math.min(...all.map((p) => p.x), 0);
  const xMax = axes.xMax ?? Math.max(...all.map((p) => p.x), 1);
  const yMin = axes.yMin ?? Math.min(...all.map((p) => p.y), 0);
  const yMax = axes.yMax ?? Math.max(...all.map((p) => p.y), 1e-9);
  const sx = (x: number) => PAD.left + ((x - xMin) / (xMax - xMin || 1)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - ((y - yMin) / (yMax - yMin || 1)) * (H - PAD.top - PAD.bottom);
  const ticks = (lo: number, hi: number) => Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
  const parts: string[] = [];
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="#fafafa" stroke="#ccc"/>`);
  for (const t of ticks(xMin, xMax)) {
    parts.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom + 4}" stroke="#555"/><text x="${sx(t)}" y="${H - PAD.bottom + 15}" font-size="10" text-anchor="middle">${num(t, 2)}</text>`);
  }
  for (const t of ticks(yMin, yMax)) {
    parts.push(`<line x1="${PAD.left - 4}" x2="${PAD.left}" y1="${sy(t)}" y2="${sy(t)}" stroke="#555"/><text x="${PAD.left - 6}" y="${sy(t) + 3}" font-size="10" text-anchor="end">${num(t, 3)}</text>`);
  }
  if (axes.diagonal) parts.push(`<line x1="${sx(xMin)}" y1="${sy(yMin)}" x2="${sx(xMax)}" y2="${sy(yMax)}" stroke="#bbb" stroke-dasharray="4 3"/>`);
  for (const s of series) {
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    if (s.dots) {
      for (const p of pts) parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="${s.color}"/>`);
    } else if (pts.length > 0) {
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}"/>`);
    }
  }
  series.forEach((s, i) => {
    parts.push(`<rect x="${PAD.left + 8}" y="${PAD.top + 6 + i * 14}" width="10" height="10" fill="${s.color}"/><text x="${PAD.left + 22}" y="${PAD.top + 15 + i * 14}" font-size="11">${escapeHtml(s.name)}</text>`);
  });
  parts.push(`<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 4}" font-size="11" text-anchor="middle">${escapeHtml(axes.x)}</text>`);
  parts.push(`<text x="12" y="${(PAD.top + H - PAD.bottom) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${(PAD.top + H - PAD.bottom) / 2})">${escapeHtml(axes.y)}</text>`);
  return `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption><svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${parts.join('')}</svg></figure>`;
}

/** Horizontal bars (feature importance). */
export function barChart(title: string, bars: { label: string; value: number }[], valueLabel: string): string {
  const rowH = 18;
  const labelW = 190;
  const height = PAD.top + bars.length * rowH + 24;
  const max = Math.max(...bars.map((b) => b.value), 1e-12);
  const barW = W + 120 - labelW - 60;
  const rows = bars.map((b, i) => {
    const y = PAD.top + i * rowH;
    const w = Math.max(1, (b.value / max) * barW);
    return `<text x="${labelW - 6}" y="${y + 12}" font-size="11" text-anchor="end">${escapeHtml(b.label.length > 32 ? `${b.label.slice(0, 31)}…` : b.label)}</text><rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 5}" fill="#4e79a7"/><text x="${labelW + w + 4}" y="${y + 12}" font-size="10">${num(b.value, 3)}</text>`;
  });
  return `<figure class="chart"><figcaption>${escapeHtml(title)} (${escapeHtml(valueLabel)})</figcaption><svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${W + 120} ${height}" width="${W + 120}" height="${height}">${rows.join('')}</svg></figure>`;
}

/** Examples per bin (bars, left axis) and CTR per bin (dots, right axis) of one variable. */
export function binChart(title: string, bins: { label: string; count: number; ctr: number }[]): string {
  const width = Math.max(260, 40 + bins.length * 34);
  const height = 170;
  const top = 10;
  const bottom = 48;
  const plotH = height - top - bottom;
  const maxCount = Math.max(...bins.map((b) => b.count), 1);
  const maxCtr = Math.max(...bins.map((b) => b.ctr), 1e-9);
  const slot = (width - 40) / Math.max(1, bins.length);
  const parts = bins.map((b, i) => {
    const x = 30 + i * slot;
    const h = (b.count / maxCount) * plotH;
    const cy = top + plotH - (b.ctr / maxCtr) * plotH;
    return (
      `<rect x="${(x + 3).toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(slot - 6).toFixed(1)}" height="${h.toFixed(1)}" fill="#a0cbe8"><title>${escapeHtml(b.label)}: ${b.count} examples</title></rect>` +
      `<circle cx="${(x + slot / 2).toFixed(1)}" cy="${cy.toFixed(1)}" r="3.5" fill="#e15759"><title>${escapeHtml(b.label)}: CTR ${num(b.ctr, 4)}</title></circle>` +
      `<text x="${(x + slot / 2).toFixed(1)}" y="${height - bottom + 12}" font-size="9" text-anchor="end" transform="rotate(-35 ${(x + slot / 2).toFixed(1)} ${height - bottom + 12})">${escapeHtml(b.label.length > 14 ? `${b.label.slice(0, 13)}…` : b.label)}</text>`
    );
  });
  return `<figure class="chart small"><figcaption>${escapeHtml(title)}: examples (bars) and CTR (dots, max ${num(maxCtr, 3)})</figcaption><svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}"><line x1="30" x2="${width - 10}" y1="${top + plotH}" y2="${top + plotH}" stroke="#555"/>${parts.join('')}</svg></figure>`;
}

/** The variable exploration report of one modeling run, as one self-contained HTML page (no scripts, no external assets). */
export function renderReportHtml(report: ReportData): string {
  const m = report.metrics;
  const d = report.data;
  const date = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
  const variablesTable = report.variables
    .map(
      (v) =>
        `<tr class="${v.kept ? 'kept' : 'dropped'}"><td>${v.rank + 1}</td><td>${escapeHtml(v.name)}</td><td>${v.kind}${v.encoding ? ` (${v.encoding})` : ''}</td><td>${num(v.scores.infoGain, 5)}</td><td>${num(v.scores.gainRatio, 5)}</td><td>${num(v.scores.symmetricalUncertainty, 5)}</td><td>${num(v.scores.gini, 5)}</td><td>${v.kept ? 'kept' : 'dropped'}</td></tr>`,
    )
    .join('');
  const perVariable = report.variables
    .map(
      (v) =>
        `<section class="variable"><h3>${escapeHtml(v.name)} <small>${v.kind}${v.kept ? '' : ' · dropped'}</small></h3>` +
        binChart(v.name, v.bins) +
        `<table><thead><tr><th>bin</th><th>examples</th><th>clicks</th><th>CTR</th></tr></thead><tbody>${v.bins
          .map((b) => `<tr><td>${escapeHtml(b.label)}</td><td>${b.count}</td><td>${b.positives}</td><td>${num(b.ctr, 4)}</td></tr>`)
          .join('')}</tbody></table>` +
        (v.boundaries ? `<p class="note">equal-frequency boundaries: ${v.boundaries.map((b) => num(b, 4)).join(', ') || 'none (one bin)'}</p>` : '') +
        `</section>`,
    )
    .join('');
  const importance = [...report.importance].sort((a, b) => b.totalGain - a.totalGain).slice(0, 25);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Variable exploration report · ${escapeHtml(report.modelId)} v${report.version}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{margin-top:32px;border-bottom:1px solid #ddd}h3{margin:12px 0 4px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}td:nth-child(2),th:nth-child(2){text-align:left}
tr.dropped{color:#999}.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{margin:0}.chart figcaption{font-weight:600;font-size:12px}
.variable{display:inline-block;vertical-align:top;margin:0 18px 18px 0}.note{color:#666;font-size:12px}
pre{background:#f6f6f6;padding:8px;max-height:420px;overflow:auto;font-size:11px}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dt{color:#666}
</style></head><body>
<h1>Variable exploration report: ${escapeHtml(report.modelId)} v${report.version}</h1>
<p>Campaign <code>${escapeHtml(report.campaignId)}</code> · run <code>${escapeHtml(report.runId)}</code> · ${report.promoted ? '<strong>promoted</strong>' : 'candidate'} — ${escapeHtml(report.promotionReason)}</p>
<h2 id="data">Data</h2>
<dl>
<dt>labelled examples</dt><dd id="data-size">${d.total} (train ${d.trainRows}, validation ${d.validRows})</dd>
<dt>time window</dt><dd>${date(d.window.fromMs)} → ${date(d.window.toMs)} UTC (validation from ${date(d.splitAtMs)})</dd>
<dt>positive rate</dt><dd id="positive-rate">${num(d.positiveRate, 4)} (${d.positives} clicks)</dd>
</dl>
<h2 id="model">Model</h2>
<table><thead><tr><th>AUC</th><th>logloss</th><th>RMSE</th><th>normalized entropy</th><th>calibration (Σp/Σy)</th><th>train AUC</th><th>trees</th><th>export max |Δp|</th></tr></thead>
<tbody><tr id="metrics"><td>${num(m.auc)}</td><td>${num(m.logloss)}</td><td>${num(m.rmse)}</td><td>${num(m.normalizedEntropy)}</td><td>${num(m.calibration)}</td><td>${num(m.trainAuc)}</td><td>${report.treeCount}</td><td>${report.onnx.maxAbsDiff.toExponential(2)}</td></tr></tbody></table>
<p class="note">parameters: ${escapeHtml(JSON.stringify(report.params))}</p>
<div class="charts">
${lineChart('ROC curve (validation)', [{ name: `AUC ${num(m.auc, 3)}`, color: '#4e79a7', points: report.roc.map((p) => ({ x: p.fpr, y: p.tpr })) }], { x: 'false positive rate', y: 'true positive rate', xMin: 0, xMax: 1, yMin: 0, yMax: 1, diagonal: true })}
${lineChart('Calibration (validation)', [{ name: 'observed vs predicted', color: '#e15759', dots: true, points: report.calibrationCurve.map((b) => ({ x: b.meanPrediction, y: b.observedRate })) }], { x: 'mean predicted CTR', y: 'observed CTR', xMin: 0, xMax: 1, yMin: 0, yMax: 1, diagonal: true })}
${lineChart(
  `Learning curve (best round ${report.bestRound + 1})`,
  [
    { name: 'train logloss', color: '#4e79a7', points: report.learningCurve.map((h) => ({ x: h.round + 1, y: h.trainLogloss })) },
    { name: 'validation logloss', color: '#f28e2b', points: report.learningCurve.filter((h) => h.validLogloss !== null).map((h) => ({ x: h.round + 1, y: h.validLogloss! })) },
  ],
  { x: 'round', y: 'logloss', xMin: 0 },
)}
${importance.length ? barChart('Feature importance', importance.map((f) => ({ label: f.feature, value: f.totalGain })), 'total gain') : '<p>No splits: the model is its base rate.</p>'}
</div>
<h2 id="variables">Variables</h2>
<p>Criteria in bits (information gain, gain ratio, symmetrical uncertainty) and Gini decrease; variables are ranked by ${escapeHtml(report.criterion)} and dropped below ${num(report.minScore, 6)}.</p>
<table id="criteria"><thead><tr><th>#</th><th>variable</th><th>kind</th><th>info gain</th><th>gain ratio</th><th>sym. uncertainty</th><th>gini</th><th></th></tr></thead><tbody>${variablesTable}</tbody></table>
${perVariable}
<h2 id="trees">Sample trees</h2>
<p class="note">The first ${Math.min(3, report.treeCount)} of ${report.treeCount} trees (leaf values include the learning rate).</p>
<pre>${escapeHtml(report.sampleTrees)}</pre>
</body></html>`;
}
