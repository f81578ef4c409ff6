/** One hourly series of the chart. */
export interface HourlySeries {
  readonly name: string;
  readonly color: string;
  /** Values per hour, consecutive. */
  readonly values: readonly number[];
  /** Draw as a dashed line. */
  readonly dashed?: boolean;
}

/**
 * A hand-written SVG line chart of hourly series over consecutive days (no dependency): x = hour, with a
 * label and a rule at each day's start; y = units per hour.
 */
export function hourlyChartSvg(title: string, dayLabels: readonly string[], series: readonly HourlySeries[]): string {
  const width = 960;
  const height = 380;
  const left = 56;
  const right = 190;
  const top = 34;
  const bottom = 44;
  const hours = Math.max(...series.map((s) => s.values.length));
  const step = niceStep(Math.max(1, ...series.flatMap((s) => s.values)) / 4);
  const yMax = step * Math.ceil((Math.max(1, ...series.flatMap((s) => s.values)) * 1.04) / step);
  const x = (h: number) => left + (h / hours) * (width - left - right);
  const y = (v: number) => height - bottom - (v / yMax) * (height - top - bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${title}</text>`,
  ];
  for (let v = 0; v <= yMax; v += step) {
    out.push(`<line x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Math.round(v)}</text>`);
  }
  for (let h = 0; h <= hours; h += 6) {
    const dayStart = h % 24 === 0;
    out.push(`<line x1="${x(h).toFixed(1)}" x2="${x(h).toFixed(1)}" y1="${top}" y2="${height - bottom}" stroke="${dayStart ? '#999' : '#f2f2f2'}"/>`);
    out.push(`<text x="${x(h).toFixed(1)}" y="${height - bottom + 16}" text-anchor="middle">${String(h % 24).padStart(2, '0')}:00</text>`);
    if (dayStart && h / 24 < dayLabels.length) out.push(`<text x="${(x(h) + 4).toFixed(1)}" y="${top + 12}" fill="#666">${dayLabels[h / 24]}</text>`);
  }
  out.push(`<text transform="translate(14 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">impressions per hour</text>`);
  series.forEach((s, i) => {
    // A step line: each hour's value held over the hour.
    const d = s.values.map((v, h) => `${h === 0 ? 'M' : 'L'}${x(h).toFixed(1)},${y(v).toFixed(1)} L${x(h + 1).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    const ly = top + 10 + i * 20;
    out.push(`<line x1="${width - right + 14}" x2="${width - right + 40}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    out.push(`<text x="${width - right + 46}" y="${ly + 4}">${s.name}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The smallest of 1, 2, 5 × 10^k at or above x: round tick spacing. */
function niceStep(x: number): number {
  const power = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= x) ?? 10 * power;
}
