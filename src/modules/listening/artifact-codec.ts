type Packed = Uint32Array | Float32Array | Float64Array;
const KINDS = { u32: Uint32Array, f32: Float32Array, f64: Float64Array } as const;
type KindName = keyof typeof KINDS;

function kindOf(array: Packed): KindName {
  if (array instanceof Uint32Array) return 'u32';
  if (array instanceof Float32Array) return 'f32';
  return 'f64';
}

/**
 * Packs named typed arrays and a JSON header into one buffer:
 * [u32 header length][header JSON][padding to 8][array bytes, each 8-aligned]. Little-endian (the host's).
 */
export function packArtifact(meta: Record<string, unknown>, arrays: Record<string, Packed>): Buffer {
  const layout: { name: string; kind: KindName; length: number; offset: number }[] = [];
  let offset = 0;
  for (const [name, array] of Object.entries(arrays)) {
    layout.push({ name, kind: kindOf(array), length: array.length, offset });
    offset += Math.ceil(array.byteLength / 8) * 8;
  }
  const header = Buffer.from(JSON.stringify({ meta, layout }), 'utf8');
  const start = Math.ceil((4 + header.length) / 8) * 8;
  const out = Buffer.alloc(start + offset);
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  for (const entry of layout) {
    const array = arrays[entry.name];
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(out, start + entry.offset);
  }
  return out;
}

/** Reverses {@link packArtifact}; the arrays are copies (aligned), independent of `buffer`. */
export function unpackArtifact(buffer: Buffer): { meta: Record<string, unknown>; arrays: Record<string, Packed> } {
  const headerLength = buffer.readUInt32LE(0);
  const { meta, layout } = JSON.parse(buffer.subarray(4, 4 + headerLength).toString('utf8')) as {
    meta: Record<string, unknown>;
    layout: { name: string; kind: KindName; length: number; offset: number }[];
  };
  const start = Math.ceil((4 + headerLength) / 8) * 8;
  const arrays: Record<string, Packed> = {};
  for (const entry of layout) {
    const Ctor = KINDS[entry.kind];
    const bytes = entry.length * Ctor.BYTES_PER_ELEMENT;
    const copy = new Uint8Array(bytes);
    copy.set(buffer.subarray(start + entry.offset, start + entry.offset + bytes));
    arrays[entry.name] = new Ctor(copy.buffer);
  }
  return { meta, arrays };
}
