import { RoaringBitmap32 } from 'roaring';
import type { ReadonlyRoaringBitmap32 } from 'roaring';

export type CombineOp = 'union' | 'intersection' | 'difference';

/**
 * Set algebra for combination packages; always returns a fresh bitmap.
 * union = A ∪ B ∪ …; intersection = A ∩ B ∩ … (smallest first; no inputs → empty);
 * difference = first minus the union of the rest (no inputs → empty).
 */
export function combine(op: CombineOp, bitmaps: readonly ReadonlyRoaringBitmap32[]): RoaringBitmap32 {
  if (bitmaps.length === 0) return new RoaringBitmap32();
  if (bitmaps.length === 1) return bitmaps[0].clone();
  switch (op) {
    case 'union':
      return RoaringBitmap32.orMany(bitmaps);
    case 'intersection': {
      const sorted = [...bitmaps].sort((a, b) => a.size - b.size);
      const out = RoaringBitmap32.and(sorted[0], sorted[1]);
      for (let i = 2; i < sorted.length && !out.isEmpty; i++) out.andInPlace(sorted[i] as RoaringBitmap32);
      return out;
    }
    case 'difference': {
      const out = bitmaps[0].clone();
      for (let i = 1; i < bitmaps.length && !out.isEmpty; i++) out.andNotInPlace(bitmaps[i] as RoaringBitmap32);
      return out;
    }
  }
}

/**
 * Serialize in the Roaring portable format (the cross-language spec shared with Java/Go/C),
 * run-optimized first, for Postgres bytea storage.
 */
export function serializeBitmap(bitmap: ReadonlyRoaringBitmap32): Buffer {
  const copy = bitmap.clone();
  copy.runOptimize();
  const bytes: Uint8Array = copy.serialize('portable');
  // roaring's typings declare their own Buffer; the runtime value is a Node Buffer already
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export type DeserializeBitmapResult = { kind: 'ok'; bitmap: RoaringBitmap32 } | { kind: 'error'; message: string };

/** Inverse of serializeBitmap; corrupt or truncated input is reported, not thrown. */
export function deserializeBitmap(buffer: Uint8Array): DeserializeBitmapResult {
  try {
    return { kind: 'ok', bitmap: RoaringBitmap32.deserialize(buffer, 'portable') };
  } catch (error) {
    return { kind: 'error', message: `not a portable roaring bitmap: ${error instanceof Error ? error.message : String(error)}` };
  }
}
