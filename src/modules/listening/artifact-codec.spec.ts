import { buildItemNeighbors } from '../../engine/cf/item-similarity';
import { packArtifact, unpackArtifact } from './artifact-codec';
import { decodeCf, decodeItem2vec, encodeCf, encodeItem2vec } from './listening-artifacts';

describe('artifact codec', () => {
  it.each([
    [{}, {}],
    [{ a: 1, note: 'x' }, { u: Uint32Array.from([0, 1, 2 ** 32 - 1]) }],
    [{ dim: 3 }, { f: Float32Array.from([0.5, -1.25, 3]), d: Float64Array.from([Math.PI, -0, 1e-300]), u: Uint32Array.from([7]) }],
    [{ odd: true }, { u: new Uint32Array(0), f: Float32Array.from([1]) }],
  ])('round-trips meta %j', (meta, arrays) => {
    const back = unpackArtifact(packArtifact(meta, arrays as Record<string, Uint32Array | Float32Array | Float64Array>));
    expect(back.meta).toEqual(meta);
    expect(Object.keys(back.arrays)).toEqual(Object.keys(arrays));
    for (const [name, array] of Object.entries(arrays)) {
      expect(back.arrays[name].constructor).toBe(array.constructor);
      expect(Array.from(back.arrays[name])).toEqual(Array.from(array as ArrayLike<number>));
    }
  });

  it('round-trips CF neighbours and item2vec models exactly', () => {
    const matrix = { userCount: 3, itemCount: 4, users: Uint32Array.from([0, 0, 1, 1, 1, 2, 2]), items: Uint32Array.from([0, 1, 0, 1, 2, 2, 3]), plays: Float32Array.from([1, 2, 3, 4, 5, 6, 7]) };
    const iuf = buildItemNeighbors(matrix, { similarity: 'iuf', topK: 2 });
    const jaccard = buildItemNeighbors(matrix, { similarity: 'jaccard', topK: 2 });
    expect(decodeCf(encodeCf({ iuf, jaccard }))).toEqual({ iuf, jaccard });
    const model = { dim: 2, itemCount: 2, popularityBias: 1, vectors: Float32Array.from([1, 2, 3, 4]), contextVectors: Float32Array.from([-1, 0, 0.5, 2]), itemCounts: Float64Array.from([3, 0]) };
    expect(decodeItem2vec(encodeItem2vec(model))).toEqual(model);
  });
});
