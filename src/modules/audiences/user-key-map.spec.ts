import { hashUserKey, UserKeyMap, type KeyHasher } from './user-key-map';

/** Every key hashes to the same 64 bits: worst case for probing and for collision handling. */
const constantHasher: KeyHasher = (_key, out) => {
  out[0] = 7;
  out[1] = 9;
};
/** Hashes by the key's length only: many collisions, some 64-bit-equal. */
const lengthHasher: KeyHasher = (key, out) => {
  out[0] = key.length * 2654435761;
  out[1] = key.length;
};

describe('UserKeyMap', () => {
  it.each<[string, KeyHasher]>([
    ['the real hash', hashUserKey],
    ['a hash colliding on every key', constantHasher],
    ['a hash colliding by length', lengthHasher],
  ])('agrees with a Map over inserts, repeats, growth and misses (%s)', (_label, hasher) => {
    const map = new UserKeyMap(4, hasher);
    const reference = new Map<string, number>();
    const n = hasher === hashUserKey ? 20_000 : 300;
    for (let i = 0; i < n; i++) {
      const key = `user-${(i * 7919) % n}`;
      map.set(key, i);
      if (!reference.has(key)) reference.set(key, i);
      else map.set(key, reference.get(key)!);
    }
    map.set('user-0', reference.get('user-0')!);
    expect(map.size).toBe(reference.size);
    const wrong = [...reference].filter(([key, idx]) => map.get(key) !== idx);
    expect(wrong).toEqual([]);
    if (hasher === hashUserKey) {
      const ghosts = Array.from({ length: 1000 }, (_, i) => `ghost-${i}`).filter((k) => map.get(k) !== undefined);
      expect(ghosts).toEqual([]);
    }
  });

  it.each<[string, number | undefined]>([
    ['u1', 0],
    ['u22', 5],
    ['', 3],
    ['中文用户', 4],
    ['u3', undefined],
  ])('get(%j) → %s', (key, expected) => {
    const map = new UserKeyMap();
    map.set('u1', 0);
    map.set('', 3);
    map.set('中文用户', 4);
    map.set('u22', 5);
    expect(map.get(key)).toBe(expected);
  });

  it.each([-1, 1.5, 2 ** 31])('refuses index %d', (idx) => {
    expect(() => new UserKeyMap().set('u', idx)).toThrow(RangeError);
  });

  it('uses about 16-24 bytes per listener', () => {
    const map = new UserKeyMap(1024);
    for (let i = 0; i < 50_000; i++) map.set(`listener-${i}`, i);
    expect(map.approxBytes() / 50_000).toBeLessThan(24);
    expect(map.get('listener-49999')).toBe(49_999);
  });
});
