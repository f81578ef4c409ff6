import { murmur3, murmur3Bytes, murmur3Words } from './murmur3';

describe('murmur3 x86_32', () => {
  // Published test vectors for MurmurHash3_x86_32 (UTF-8 input).
  it.each([
    ['', 0, 0x00000000],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['\0\0\0\0', 0, 0x2362f9de],
    ['aaaa', 0x9747b28c, 0x5a97808a],
    ['a', 0x9747b28c, 0x7fa09ea6],
    ['ab', 0x9747b28c, 0x74875592],
    ['abc', 0x9747b28c, 0xc84a62dd],
    ['abcd', 0x9747b28c, 0xf0478627],
    ['abc', 0, 0xb3dd93fa],
    ['Hello, world!', 0x9747b28c, 0x24884cba],
    ['The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2fa826cd],
    ['ππππππππ', 0x9747b28c, 0xd58063c1],
  ])('hash(%j, seed %d) = %d', (text, seed, expected) => {
    expect(murmur3(text, seed)).toBe(expected);
  });

  // SMHasher's self-check: hash keys {}, {0}, {0,1}, ... {0..254} with seed 256-len,
  // then hash the 256 little-endian results with seed 0; the published value is 0xB0F57EE3.
  it('passes the SMHasher verification value', () => {
    const key = new Uint8Array(256);
    const hashes = new Uint8Array(256 * 4);
    for (let i = 0; i < 256; i++) {
      key[i] = i;
      const h = murmur3Bytes(key, i, 256 - i);
      hashes[i * 4] = h & 0xff;
      hashes[i * 4 + 1] = (h >>> 8) & 0xff;
      hashes[i * 4 + 2] = (h >>> 16) & 0xff;
      hashes[i * 4 + 3] = (h >>> 24) & 0xff;
    }
    expect(murmur3Bytes(hashes, hashes.length, 0)).toBe(0xb0f57ee3);
  });

  it.each([
    ['long ASCII', 'x'.repeat(1001)],
    ['two-byte', 'café ñandú ß'],
    ['three-byte', '周杰伦 · 七里香'],
    ['astral (surrogate pairs)', '🎵🎧 mix 𝄞'],
    ['lone high surrogate', 'a\ud800b'],
    ['lone low surrogate at the end', 'ab\udc00'],
    ['reversed pair', '\udc00\ud800'],
  ])('string hashing equals hashing TextEncoder bytes (%s)', (_name, text) => {
    const bytes = new TextEncoder().encode(text);
    for (const seed of [0, 1, 0x9747b28c]) expect(murmur3(text, seed)).toBe(murmur3Bytes(bytes, bytes.length, seed));
  });
});

describe('murmur3Words', () => {
  it.each([
    [[], 0],
    [[0xdeadbeef], 7],
    [[1, 2, 3], 0x9747b28c],
    [[0xffffffff, 0, 0x80000000, 12345], 1],
  ])('%j with seed %d equals hashing the little-endian bytes', (words, seed) => {
    const bytes = new Uint8Array(words.length * 4);
    const view = new DataView(bytes.buffer);
    words.forEach((w, i) => view.setUint32(4 * i, w, true));
    expect(murmur3Words(words, words.length, seed)).toBe(murmur3Bytes(bytes, bytes.length, seed));
  });
});
