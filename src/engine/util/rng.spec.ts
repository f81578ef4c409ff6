import { beta, createRng } from './rng';

describe('rng', () => {
  it('is deterministic for a seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const seqA = Array.from({ length: 5 }, () => a.next());
    const seqB = Array.from({ length: 5 }, () => b.next());
    expect(seqA).toEqual(seqB);
    expect(new Set(seqA).size).toBe(5);
  });

  it.each([
    [2, 8, 0.2],
    [50, 50, 0.5],
    [0.5, 0.5, 0.5],
  ])('Beta(%d,%d) has mean %d', (a, b, mean) => {
    const rng = createRng(7);
    let sum = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) sum += beta(rng, a, b);
    expect(sum / n).toBeCloseTo(mean, 2);
  });
});
