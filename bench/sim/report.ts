import { existsSync, writeFileSync } from 'node:fs';
import type { SimResult } from './runner';

const COLORS: Record<string, string> = { random: '#9e9e9e', priority: '#795548', model: '#1e88e5', gbdt: '#43a047', bandit: '#e53935', oracle: '#000000' };

/** One row per time bucket and strategy: impressions, clicks, realised and expected CTR, and the oracle's expected CTR. */
export function toCsv(result: SimResult): string {
  const lines = ['bucket_start_iso,strategy,impressions,clicks,ctr,expected_ctr,oracle_expected_ctr'];
  for (const b of result.buckets) {
    const oracle = b.requests > 0 ? b.oracleExpected / b.requests : 0;
    for (const [strategy, s] of Object.entries(b.byStrategy)) {
      const ctr = s.impressions > 0 ? s.clicks / s.impressions : 0;
      const expected = s.impressions > 0 ? s.expected / s.impressions : 0;
      lines.push(`${new Date(b.startMs).toISOString()},${strategy},${s.impressions},${s.clicks},${ctr.toFixed(5)},${expected.toFixed(5)},${oracle.toFixed(5)}`);
    }
    lines.push(`${new Date(b.startMs).toISOString()},oracle,${b.requests},${b.oracleClicks},${(b.requests ? b.oracleClicks / b.requests : 0).toFixed(5)},${oracle.toFixed(5)},${oracle.toFixed(5)}`);
  }
  return lines.join('\n') + '\n';
}

interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

function svgChart(title: string, series: Series[], options: { yLabel: string; width?: number; height?: number; markX?: number | null; id?: string }): string {
  const width = options.width ?? 900;
  const height = options.height ?? 360;
  const pad = { l: 60, r: 150, t: 30, b: 40 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  if (xs.length === 0) return `<p>${title}: no data</p>`;
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) || 1];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(...ys) * 1.05 || 1];
  const sx = (x: number) => pad.l + ((x - x0) / (x1 - x0 || 1)) * (width - pad.l - pad.r);
  const sy = (y: number) => height - pad.b - ((y - y0) / (y1 - y0 || 1)) * (height - pad.t - pad.b);
  const ticks = Array.from({ length: 5 }, (_, i) => y0 + ((y1 - y0) * i) / 4);
  const parts = [
    `<svg ${options.id ? `id="${options.id}" ` : ''}xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${pad.l}" y="18" font-size="14" font-weight="bold">${title}</text>`,
    ...ticks.map((t) => `<line x1="${pad.l}" x2="${width - pad.r}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/><text x="${pad.l - 6}" y="${sy(t) + 4}" text-anchor="end">${t < 1 && t > -1 ? t.toFixed(3) : t.toFixed(0)}</text>`),
    `<line x1="${pad.l}" x2="${width - pad.r}" y1="${height - pad.b}" y2="${height - pad.b}" stroke="#333"/>`,
    `<text x="${(pad.l + width - pad.r) / 2}" y="${height - 8}" text-anchor="middle">requests (each sent to every strategy)</text>`,
    `<text transform="translate(14 ${height / 2}) rotate(-90)" text-anchor="middle">${options.yLabel}</text>`,
  ];
  if (options.markX != null) parts.push(`<line x1="${sx(options.markX)}" x2="${sx(options.markX)}" y1="${pad.t}" y2="${height - pad.b}" stroke="#ff9800" stroke-dasharray="4 3"/><text x="${sx(options.markX) + 4}" y="${pad.t + 12}" fill="#ff9800">drift</text>`);
  series.forEach((s, i) => {
    const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<rect x="${width - pad.r + 12}" y="${pad.t + i * 18}" width="12" height="3" fill="${s.color}"/><text x="${width - pad.r + 30}" y="${pad.t + i * 18 + 5}">${s.name}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** CTR over time (expected CTR of what was served, per bucket), bandit arm shares, cumulative regret against the oracle. */
export function toHtml(result: SimResult, lastLine: string, meta: Record<string, string>): string {
  const strategies = Object.keys(result.totals);
  let cumRequests = 0;
  const xOf: number[] = result.buckets.map((b) => (cumRequests += b.requests));
  const ctrSeries: Series[] = strategies.map((s) => ({
    name: s,
    color: COLORS[s] ?? '#673ab7',
    points: result.buckets.map((b, i) => [xOf[i], b.byStrategy[s].impressions ? b.byStrategy[s].expected / b.byStrategy[s].impressions : 0] as [number, number]),
  }));
  ctrSeries.push({ name: 'oracle', color: COLORS.oracle, points: result.buckets.map((b, i) => [xOf[i], b.requests ? b.oracleExpected / b.requests : 0]) });
  const armNames = [...new Set(result.buckets.flatMap((b) => Object.keys(b.arms)))];
  const armPalette = ['#1e88e5', '#43a047', '#9e9e9e', '#8e24aa', '#fb8c00'];
  const armSeries: Series[] = armNames.map((arm, k) => ({
    name: arm,
    color: armPalette[k % armPalette.length],
    points: result.buckets.map((b, i) => {
      const total = Object.values(b.arms).reduce((s, v) => s + v, 0);
      return [xOf[i], total ? (b.arms[arm] ?? 0) / total : 0] as [number, number];
    }),
  }));
  const regretSeries: Series[] = strategies.map((s) => {
    let regret = 0;
    return {
      name: s,
      color: COLORS[s] ?? '#673ab7',
      points: result.buckets.map((b, i) => {
        const st = b.byStrategy[s];
        // Served requests only: expected clicks the oracle would have had on them minus what was served.
        regret += st.impressions ? (b.oracleExpected / b.requests) * st.impressions - st.expected : 0;
        return [xOf[i], regret] as [number, number];
      }),
    };
  });
  const markX = result.driftAtRequest;
  const rows = strategies
    .map((s) => {
      const t = result.totals[s];
      return `<tr><td>${s}</td><td>${t.impressions}</td><td>${t.clicks}</td><td>${(t.impressions ? t.clicks / t.impressions : 0).toFixed(4)}</td><td>${(t.impressions ? t.expectedClicks / t.impressions : 0).toFixed(4)}</td><td>${t.fallbacks}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>MusicBoss closed-loop simulation</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1000px} table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:4px 8px;text-align:right} code{background:#f4f4f4;padding:2px 4px}</style>
</head><body>
<h1>Closed-loop simulation</h1>
<p><code>${lastLine}</code></p>
<p>${Object.entries(meta).map(([k, v]) => `${k}: <b>${v}</b>`).join(' · ')}</p>
<div id="main-chart">${svgChart('Expected CTR of served ads per time bucket', ctrSeries, { yLabel: 'CTR', markX, id: 'ctr' })}</div>
${svgChart('Bandit arm shares per time bucket', armSeries, { yLabel: 'share', markX, height: 280 })}
${svgChart('Cumulative regret against the oracle (expected clicks)', regretSeries, { yLabel: 'clicks', markX, height: 280 })}
<h2>Totals</h2>
<table><tr><th>strategy</th><th>impressions</th><th>clicks</th><th>CTR</th><th>expected CTR</th><th>fallbacks to priority</th></tr>
${rows}
<tr><td>oracle</td><td>${result.oracle.requests}</td><td>${result.oracle.clicks}</td><td>${(result.oracle.requests ? result.oracle.clicks / result.oracle.requests : 0).toFixed(4)}</td><td>${(result.oracle.requests ? result.oracle.expected / result.oracle.requests : 0).toFixed(4)}</td><td>–</td></tr>
</table>
<p>Model versions before → after: ${Object.entries(result.modelVersions.before).map(([id, v]) => `${id} ${v ?? 'none'} → ${result.modelVersions.after[id] ?? 'none'}`).join(', ')}.
Events accepted ${result.eventsAccepted}, rejected ${result.eventsRejected}.</p>
</body></html>
`;
}

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Screenshot of the main chart with headless Chromium (playwright-core); null with a reason when Chromium is absent. */
export async function renderPng(htmlPath: string, pngPath: string): Promise<string | null> {
  if (!existsSync(CHROMIUM_PATH)) return `no ${CHROMIUM_PATH}: PNG skipped (the HTML has the same chart)`;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 800 } });
    await page.goto(`file://${htmlPath}`);
    await page.locator('#main-chart').screenshot({ path: pngPath });
    return null;
  } finally {
    await browser.close();
  }
}

export function writeText(path: string, text: string): void {
  writeFileSync(path, text);
}
