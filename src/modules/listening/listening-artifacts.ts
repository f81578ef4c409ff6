import type { ItemNeighbors } from '../../engine/cf/item-similarity';
import type { Item2vecModel } from '../../engine/item2vec/sgns';
import { packArtifact, unpackArtifact } from './artifact-codec';

/** A stored CF version: IUF and Jaccard top-k neighbours of every item, trained on the same data. */
export interface CfArtifact {
  iuf: ItemNeighbors;
  jaccard: ItemNeighbors;
}

export function encodeCf(cf: CfArtifact): Buffer {
  return packArtifact(
    { itemCount: cf.iuf.itemCount, topK: cf.iuf.topK },
    {
      degree: cf.iuf.itemDegree,
      iufOffsets: cf.iuf.offsets,
      iufNeighbors: cf.iuf.neighbors,
      iufSims: cf.iuf.sims,
      jaccardOffsets: cf.jaccard.offsets,
      jaccardNeighbors: cf.jaccard.neighbors,
      jaccardSims: cf.jaccard.sims,
    },
  );
}

export function decodeCf(buffer: Buffer): CfArtifact {
  const { meta, arrays } = unpackArtifact(buffer);
  const itemCount = Number(meta.itemCount);
  const topK = Number(meta.topK);
  const itemDegree = arrays.degree as Uint32Array;
  const side = (prefix: 'iuf' | 'jaccard'): ItemNeighbors => ({
    itemCount,
    topK,
    similarity: prefix,
    offsets: arrays[`${prefix}Offsets`] as Uint32Array,
    neighbors: arrays[`${prefix}Neighbors`] as Uint32Array,
    sims: arrays[`${prefix}Sims`] as Float64Array,
    itemDegree,
  });
  return { iuf: side('iuf'), jaccard: side('jaccard') };
}

export function encodeItem2vec(model: Item2vecModel): Buffer {
  return packArtifact(
    { dim: model.dim, itemCount: model.itemCount, popularityBias: model.popularityBias },
    { vectors: model.vectors, contextVectors: model.contextVectors, itemCounts: model.itemCounts },
  );
}

export function decodeItem2vec(buffer: Buffer): Item2vecModel {
  const { meta, arrays } = unpackArtifact(buffer);
  return {
    dim: Number(meta.dim),
    itemCount: Number(meta.itemCount),
    popularityBias: Number(meta.popularityBias),
    vectors: arrays.vectors as Float32Array,
    contextVectors: arrays.contextVectors as Float32Array,
    itemCounts: arrays.itemCounts as Float64Array,
  };
}
