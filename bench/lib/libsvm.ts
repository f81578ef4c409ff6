import { readFileSync } from 'node:fs';

export interface LibsvmData {
  /** 0/1 labels (any label > 0 is read as 1). */
  labels: Float32Array;
  /** Active feature indices of each row, in file order (values are ignored: the files are one-hot). */
  rows: Uint32Array[];
  /** Largest feature index seen in the file. */
  maxIndex: number;
}

/** Reads a one-hot libsvm file (`label idx:val idx:val ...`). Blank lines are skipped. */
export function readLibsvm(path: string): LibsvmData {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const labels: number[] = [];
  const rows: Uint32Array[] = [];
  let maxIndex = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (line.length === 0) continue;
    const parts = line.split(/\s+/);
    labels.push(Number(parts[0]) > 0 ? 1 : 0);
    const row = new Uint32Array(parts.length - 1);
    for (let j = 1; j < parts.length; j++) {
      const colon = parts[j].indexOf(':');
      const index = Number(colon < 0 ? parts[j] : parts[j].slice(0, colon));
      row[j - 1] = index;
      if (index > maxIndex) maxIndex = index;
    }
    rows.push(row);
  }
  return { labels: Float32Array.from(labels), rows, maxIndex };
}
