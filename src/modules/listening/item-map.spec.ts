import { pca2, scatterSvg } from './item-map';

describe('pca2', () => {
  it.each([
    // points on the line y = 2x in 3-D (z constant): one axis carries all the variance
    [[0, 0, 5, 1, 2, 5, 2, 4, 5, 3, 6, 5], 3, [1, 2, 0], 1],
    // a cross: variance 8 along x (±2), 2 along y (±1): shares 0.8 and 0.2
    [[2, 0, -2, 0, 0, 1, 0, -1], 2, [1, 0], 0.8],
  ])('finds the main axis of %j', (flat, dim, direction, share) => {
    const vectors = Float32Array.from(flat);
    const rows = Array.from({ length: flat.length / dim }, (_, i) => i);
    const { coords, explained } = pca2(vectors, dim, rows);
    expect(explained[0]).toBeCloseTo(share, 6);
    // the first coordinate is the projection on the unit direction (up to sign)
    const norm = Math.hypot(...direction);
    const mean = Array.from({ length: dim }, (_, d) => rows.reduce((s, r) => s + flat[r * dim + d], 0) / rows.length);
    rows.forEach((r, i) => {
      const proj = direction.reduce((s, u, d) => s + (u / norm) * (flat[r * dim + d] - mean[d]), 0);
      expect(Math.abs(coords[i * 2])).toBeCloseTo(Math.abs(proj), 6);
    });
  });

  it('renders an SVG with one circle per point and escaped labels', () => {
    const svg = scatterSvg([{ x: 0, y: 0, label: 'Tom & Jerry', group: 'a' }, { x: 1, y: 1, label: 'b', group: 'b' }], 'map', 1);
    expect(svg.match(/<circle cx/g)).toHaveLength(2 + 2);
    expect(svg).toContain('Tom &amp; Jerry');
    expect(svg).not.toContain('>b</text><circle');
  });
});
