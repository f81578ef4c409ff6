import { murmur3, murmur3Bytes } from './murmur3';

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

  it('handles strings longer than the initial scratch buffer', () => {
    const long = 'x'.repeat(1000);
    const bytes = new TextEncoder().encode(long);
    expect(murmur3(long, 7)).toBe(murmur3Bytes(bytes, bytes.length, 7));
  });
});
