import { RoaringBitmap32 } from 'roaring';
import { combine, deserializeBitmap, serializeBitmap } from './bitmap-ops';
import type { CombineOp } from './bitmap-ops';

const A = [1, 2, 3, 70000, 70001];
const B = [2, 3, 4, 70001, 200000];
const C = [3, 70001, 5];

describe('combine', () => {
  it.each<[CombineOp, number[][], number[]]>([
    ['union', [A, B, C], [1, 2, 3, 4, 5, 70000, 70001, 200000]],
    ['intersection', [A, B, C], [3, 70001]],
    ['intersection', [A, B], [2, 3, 70001]],
    ['difference', [A, B], [1, 70000]],
    ['difference', [B, A, C], [4, 200000]],
    ['union', [A], A],
    ['intersection', [C], [3, 5, 70001]],
    ['union', [], []],
    ['intersection', [], []],
    ['difference', [], []],
    ['intersection', [A, []], []],
  ])('%s of %j', (op, inputs, expected) => {
    const bitmaps = inputs.map((xs) => new RoaringBitmap32(xs));
    const out = combine(op, bitmaps);
    expect(out.toArray()).toEqual(expected);
    // inputs are never modified and the result is never one of them
    expect(bitmaps.map((b) => b.toArray())).toEqual(inputs.map((xs) => [...xs].sort((x, y) => x - y)));
    for (const b of bitmaps) expect(out).not.toBe(b);
  });
});

describe('serializeBitmap / deserializeBitmap', () => {
  it.each<[string, RoaringBitmap32]>([
    ['empty', new RoaringBitmap32()],
    ['sparse', new RoaringBitmap32([0, 5, 65536, 4294967294])],
    ['dense run', RoaringBitmap32.fromRange(100, 300000)],
  ])('round-trips %s', (_name, bitmap) => {
    const buffer = serializeBitmap(bitmap);
    expect(Buffer.isBuffer(buffer)).toBe(true);
    const back = deserializeBitmap(buffer);
    if (back.kind !== 'ok') throw new Error(back.message);
    expect(back.bitmap.isEqual(bitmap)).toBe(true);
  });

  it('writes the portable format (cookie 12347 for run containers; spec header bytes)', () => {
    // portable spec: a bitmap with a run container starts with cookie 12347 | (containers-1) << 16, little endian
    const buffer = serializeBitmap(RoaringBitmap32.fromRange(0, 1000));
    expect(buffer.readUInt16LE(0)).toBe(12347);
    expect(buffer.readUInt16LE(2)).toBe(0);
  });

  it.each<[string, Uint8Array]>([
    ['garbage', Buffer.from([1, 2, 3, 4, 5, 6, 7])],
    ['truncated', serializeBitmap(new RoaringBitmap32([1, 2, 3, 100000])).subarray(0, 10)],
  ])('reports %s input', (_name, bytes) => {
    const result = deserializeBitmap(bytes);
    expect(result.kind).toBe('error');
  });
});
