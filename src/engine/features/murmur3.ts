const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * MurmurHash3 x86_32 (Austin Appleby, SMHasher) over raw bytes.
 * Returns an unsigned 32-bit integer; same bytes + seed → same value on every platform.
 */
export function murmur3Bytes(bytes: Uint8Array, length: number, seed: number): number {
  let h = seed >>> 0;
  const blockEnd = length & ~3;
  for (let i = 0; i < blockEnd; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[blockEnd + 2] << 16;
    if (tail >= 2) k ^= bytes[blockEnd + 1] << 8;
    k ^= bytes[blockEnd];
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * MurmurHash3 x86_32 of a sequence of 32-bit words taken as little-endian bytes; equals murmur3Bytes over
 * those 4·n bytes (each word is exactly one block), without building a byte buffer.
 */
export function murmur3Words(words: ArrayLike<number>, count: number, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < count; i++) {
    let k = Math.imul(words[i] | 0, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= count * 4;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();
// Reused scratch buffer: feature hashing runs per candidate on the hot path, so no per-token allocation.
// (Measured: native encodeInto beats hand-written UTF-8 encoding in JS here.)
let scratch = new Uint8Array(256);

/**
 * MurmurHash3 x86_32 of a string's UTF-8 bytes with a 32-bit seed (unsigned result); equal to
 * murmur3Bytes(TextEncoder.encode(text)). Lone surrogates are encoded as U+FFFD, as TextEncoder does.
 */
export function murmur3(text: string, seed: number): number {
  // UTF-8 never needs more than 3 bytes per UTF-16 code unit.
  if (text.length * 3 > scratch.length) scratch = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, scratch);
  return murmur3Bytes(scratch, written, seed);
}
