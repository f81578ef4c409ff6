/**
 * Listener × item play counts as parallel arrays over dense indices (one entry per listened pair).
 * Duplicated (user, item) pairs are allowed and their plays are summed.
 */
export interface PlayMatrix {
  userCount: number;
  itemCount: number;
  users: Uint32Array;
  items: Uint32Array;
  plays: Float32Array;
}

/** Compressed sparse rows: row r spans indices [offsets[r], offsets[r+1]) of `cols`/`values`; columns ascend. */
export interface Csr {
  rowCount: number;
  offsets: Uint32Array;
  cols: Uint32Array;
  values: Float64Array;
}

/**
 * Builds a CSR over rows `rowIds` (0..rowCount-1) with columns `colIds`, summing duplicate cells,
 * dropping cells whose summed value is <= 0 and sorting each row's columns ascending. O(n + rows + sort).
 */
export function buildCsr(
  rowCount: number,
  rowIds: Uint32Array,
  colIds: Uint32Array,
  values: ArrayLike<number>,
): Csr {
  const n = rowIds.length;
  const counts = new Uint32Array(rowCount + 1);
  for (let e = 0; e < n; e++) counts[rowIds[e] + 1]++;
  for (let r = 0; r < rowCount; r++) counts[r + 1] += counts[r];
  const cursor = counts.slice(0, rowCount);
  const rawCols = new Uint32Array(n);
  const rawValues = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    const at = cursor[rowIds[e]]++;
    rawCols[at] = colIds[e];
    rawValues[at] = values[e];
  }
  const offsets = new Uint32Array(rowCount + 1);
  const cols = new Uint32Array(n);
  const outValues = new Float64Array(n);
  let written = 0;
  const order: number[] = [];
  for (let r = 0; r < rowCount; r++) {
    offsets[r] = written;
    order.length = 0;
    for (let e = counts[r]; e < counts[r + 1]; e++) order.push(e);
    order.sort((a, b) => rawCols[a] - rawCols[b]);
    let k = 0;
    while (k < order.length) {
      const col = rawCols[order[k]];
      let sum = 0;
      while (k < order.length && rawCols[order[k]] === col) sum += rawValues[order[k++]];
      if (sum > 0) {
        cols[written] = col;
        outValues[written] = sum;
        written++;
      }
    }
  }
  offsets[rowCount] = written;
  return { rowCount, offsets, cols: cols.slice(0, written), values: outValues.slice(0, written) };
}

/** The matrix as a user-major CSR (rows = users, cols = items). */
export function usersByRow(data: PlayMatrix): Csr {
  return buildCsr(data.userCount, data.users, data.items, data.plays);
}

/** Transposes a CSR (rows ↔ cols); `colCount` is the number of columns of `csr`. */
export function transposeCsr(csr: Csr, colCount: number): Csr {
  const rowIds = new Uint32Array(csr.cols.length);
  for (let r = 0; r < csr.rowCount; r++) {
    for (let e = csr.offsets[r]; e < csr.offsets[r + 1]; e++) rowIds[e] = r;
  }
  return buildCsr(colCount, csr.cols, rowIds, csr.values);
}
