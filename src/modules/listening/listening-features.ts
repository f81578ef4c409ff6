import { campaignAffinity } from '../../engine/cf/campaign-similarity';
import { cosine, userVector } from '../../engine/item2vec/vectors';
import type { Campaign } from '../../engine/policy/snapshot';
import type { ListeningState } from './listening-state.service';

/** Listening-derived features of one (listener, campaign) pair, for the learned models' feature builders. */
export interface ListeningFeatures {
  /** Item-CF (IUF) affinity of the listener's history for the campaign's items, in [0, 1]; 0 without a CF model. */
  cfAffinity: number;
  /** Cosine between the listener's item2vec vector (play-weighted mean) and the mean vector of the campaign's items; 0 without a model. */
  embeddingCosine: number;
  /** Items in the listener's history (0 = unknown to the listening data). */
  listenerItems: number;
  /** Campaign items found by its artist and genre tags. */
  campaignItems: number;
}

/** Reads only the in-memory state: safe on the decision path. */
export function listeningFeatures(state: ListeningState, userKey: string, campaign: Campaign): ListeningFeatures {
  const history = state.historyByUserKey.get(userKey) ?? [];
  const items = state.campaignItems(campaign);
  const cfAffinity = state.cf ? campaignAffinity(state.cf.iuf, history, items) : 0;
  let embeddingCosine = 0;
  const model = state.item2vec?.model;
  if (model && history.length > 0 && items.length > 0) {
    const own = history.filter((h) => h.item < model.itemCount);
    const listener = userVector(model.vectors, model.dim, own.map((h) => h.item), own.map((h) => h.plays));
    const target = userVector(model.vectors, model.dim, Array.from(items).filter((i) => i < model.itemCount));
    embeddingCosine = cosine(listener, target);
  }
  return { cfAffinity, embeddingCosine, listenerItems: history.length, campaignItems: items.length };
}
