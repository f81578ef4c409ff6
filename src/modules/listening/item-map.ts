/**
 * Top-2 principal components of row-major `count × dim` vectors (rows with zero norm skipped),
 * by power iteration on the covariance with deflation; deterministic start. Returns the 2-D
 * coordinates of every kept row (in `rows` order) and the share of variance each axis explains.
 */
export function pca2(vectors: Float32Array, dim: number, rows: readonly number[]): { coords: Float64Array; explained: [number, number] } {
  const n = rows.length;
  const mean = new Float64Array(dim);
  for (const r of rows) for (let d = 0; d < dim; d++) mean[d] += vectors[r * dim + d] / n;
  const cov = new Float64Array(dim * dim);
  for (const r of rows) {
    for (let a = 0; a < dim; a++) {
      const xa = vectors[r * dim + a] - mean[a];
      for (let b = 0; b < dim; b++) cov[a * dim + b] += (xa * (vectors[r * dim + b] - mean[b])) / Math.max(1, n - 1);
    }
  }
  let total = 0;
  for (let d = 0; d < dim; d++) total += cov[d * dim + d];
  const axes: Float64Array[] = [];
  const values: number[] = [];
  for (let k = 0; k < 2; k++) {
    let v = new Float64Array(dim).map((_, d) => 1 + d * 0.01 * (k + 1));
    let lambda = 0;
    for (let iter = 0; iter < 300; iter++) {
      const next = new Float64Array(dim);
      for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) next[a] += cov[a * dim + b] * v[b];
      // Deflate the components already found.
      for (const u of axes) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += next[d] * u[d];
        for (let d = 0; d < dim; d++) next[d] -= dot * u[d];
      }
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += next[d] * next[d];
      norm = Math.sqrt(norm);
      if (norm === 0) break;
      lambda = norm;
      v = next.map((x) => x / norm);
    }
    axes.push(v);
    values.push(lambda);
  }
  const coords = new Float64Array(n * 2);
  rows.forEach((r, i) => {
    for (let k = 0; k < 2; k++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (vectors[r * dim + d] - mean[d]) * axes[k][d];
      coords[i * 2 + k] = s;
    }
  });
  return { coords, explained: [total > 0 ? values[0] / total : 0, total > 0 ? values[1] / total : 0] };
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** An SVG scatter of 2-D points coloured by group, the `labelled` first points named. */
export function scatterSvg(points: readonly { x: number; y: number; label: string; group: string }[], title: string, labelled: number): string {
  const width = 900;
  const height = 700;
  const pad = 40;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 0)];
  const [y0, y1] = [Math.min(...ys, 0), Math.max(...ys, 0)];
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (width - 2 * pad);
  const sy = (y: number) => height - pad - ((y - y0) / (y1 - y0 || 1)) * (height - 2 * pad);
  const groups = [...new Set(points.map((p) => p.group))].sort();
  const colour = new Map(groups.map((g, i) => [g, PALETTE[i % PALETTE.length]]));
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="10">`, `<rect width="100%" height="100%" fill="white"/>`];
  out.push(`<text x="${pad}" y="20" font-size="14">${escapeXml(title)}</text>`);
  points.forEach((p, i) => {
    out.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${colour.get(p.group)}" fill-opacity="0.7"/>`);
    if (i < labelled) out.push(`<text x="${(sx(p.x) + 4).toFixed(1)}" y="${(sy(p.y) - 4).toFixed(1)}">${escapeXml(p.label)}</text>`);
  });
  groups.slice(0, 20).forEach((g, i) => {
    out.push(`<circle cx="${width - 150}" cy="${40 + i * 14}" r="4" fill="${colour.get(g)}"/><text x="${width - 140}" y="${44 + i * 14}">${escapeXml(g)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
