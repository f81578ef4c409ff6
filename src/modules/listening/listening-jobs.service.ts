import { Injectable, Logger } from '@nestjs/common';
import { RoaringBitmap32 } from 'roaring';
import { buildItemNeighbors } from '../../engine/cf/item-similarity';
import type { PlayMatrix } from '../../engine/cf/play-matrix';
import { trainItem2vec, type Item2vecParams } from '../../engine/item2vec/sgns';
import { userVector } from '../../engine/item2vec/vectors';
import { deserializeBitmap, serializeBitmap } from '../../engine/targeting/bitmap-ops';
import { createRng } from '../../engine/util/rng';
import { buildLookalike } from '../../platform/ann/lookalike';
import { ConfigChangeBus } from '../../platform/config-bus/config-change-bus';
import { JobHandler } from '../../platform/jobs/job-handler.decorator';
import { PackageRepository } from '../audiences';
import { decodeItem2vec, encodeCf, encodeItem2vec } from './listening-artifacts';
import { ListeningRepository } from './listening.repository';

export interface TrainPayload {
  kind: 'cf' | 'item2vec';
  requestedAtMs: number;
  topK?: number;
  maxItemsPerUser?: number;
  item2vec?: Partial<Pick<Item2vecParams, 'dim' | 'epochs' | 'negatives' | 'minCount' | 'popularityBias'>>;
  seed?: number;
}

export interface LookalikePayload {
  packageKey: string;
  seedPackage: string;
  targetSize: number;
  excludePackage: string | null;
  requestedAtMs: number;
  /** Seed of the holdout draw; absent → derived from requestedAtMs. */
  seed?: number;
}

export interface LookalikeReport {
  seedRecall: number | null;
  holdoutSize: number;
  seedSize: number;
  seedWithVectors: number;
  members: number;
  query: string;
  item2vecVersion: number;
  builtAt: string;
}

const DEFAULT_TOP_K = 50;
const DEFAULT_MAX_ITEMS_PER_USER = 1000;

/**
 * Worker jobs of the listening module: training CF neighbours and item2vec vectors (stored as a
 * new version in listening_models, then a configuration change so API nodes load it), and
 * building lookalike packages (a new version of a `lookalike` user package with its quality report).
 */
@Injectable()
export class ListeningJobsService {
  private readonly logger = new Logger('ListeningJobs');

  constructor(
    private readonly repository: ListeningRepository,
    private readonly packages: PackageRepository,
    private readonly bus: ConfigChangeBus,
  ) {}

  @JobHandler('listening.train')
  async train(payload: TrainPayload): Promise<void> {
    const started = Date.now();
    const plays = await this.repository.plays();
    const matrix: PlayMatrix = { userCount: plays.userCount, itemCount: plays.itemCount, users: plays.users, items: plays.items, plays: plays.plays };
    const data = { users: plays.userCount, items: plays.itemCount, pairs: plays.users.length };
    if (payload.kind === 'cf') {
      const params = { topK: payload.topK ?? DEFAULT_TOP_K, maxItemsPerUser: payload.maxItemsPerUser ?? DEFAULT_MAX_ITEMS_PER_USER };
      const iuf = buildItemNeighbors(matrix, { similarity: 'iuf', ...params });
      const jaccard = buildItemNeighbors(matrix, { similarity: 'jaccard', ...params });
      const artifact = encodeCf({ iuf, jaccard });
      const version = await this.bus.change((m) => this.repository.insertModel(m, 'cf', params, { ...data, trainMs: Date.now() - started, neighbours: iuf.neighbors.length }, artifact));
      this.logger.log(`cf v${version}: ${data.items} items, ${data.pairs} plays`);
      return;
    }
    const sentences = sentencesOf(plays.users, plays.items, plays.userCount);
    const seed = payload.seed ?? payload.requestedAtMs % 2 ** 31;
    const params = { ...(payload.item2vec ?? {}) };
    const model = trainItem2vec(sentences, plays.itemCount, params, createRng(seed));
    let kept = 0;
    for (let i = 0; i < model.itemCount; i++) if (model.itemCounts[i] > 0) kept++;
    const version = await this.bus.change((m) =>
      this.repository.insertModel(m, 'item2vec', { ...params, dim: model.dim, seed }, { ...data, trainMs: Date.now() - started, itemsWithVectors: kept }, encodeItem2vec(model)),
    );
    this.logger.log(`item2vec v${version}: ${kept} of ${data.items} items have vectors`);
  }

  @JobHandler('listening.lookalike')
  async lookalike(payload: LookalikePayload): Promise<void> {
    const row = await this.repository.latestArtifact('item2vec');
    if (!row) throw new Error('no item2vec model has been trained yet');
    const model = decodeItem2vec(row.artifact);
    const [target] = await this.packages.findManyByKeys([payload.packageKey]);
    if (!target || target.kind !== 'lookalike') return;
    const keys = [payload.seedPackage, ...(payload.excludePackage ? [payload.excludePackage] : [])];
    const bitmaps = new Map((await this.packages.bitmaps(keys)).map((b) => [b.key, b.bitmap]));
    const decode = (key: string): RoaringBitmap32 => {
      const raw = bitmaps.get(key);
      const decoded = raw ? deserializeBitmap(raw) : null;
      return decoded?.kind === 'ok' ? decoded.bitmap : new RoaringBitmap32();
    };
    const seed = decode(payload.seedPackage);
    const excluded = payload.excludePackage ? decode(payload.excludePackage) : new RoaringBitmap32();

    // Listener vectors over profile indices (the index package bitmaps use): play-weighted mean of item vectors.
    const plays = await this.repository.plays();
    const profileOf = await this.repository.profileIndexByListeningUser();
    const byUser = groupByUser(plays.users, plays.items, plays.plays, plays.userCount);
    const userIndices: number[] = [];
    const vectors: Float32Array[] = [];
    for (const [listeningIdx, profileIdx] of profileOf) {
      const own = byUser[listeningIdx];
      if (!own || own.items.length === 0) continue;
      userIndices.push(profileIdx);
      vectors.push(userVector(model.vectors, model.dim, own.items, own.plays));
    }
    const matrix = new Float32Array(userIndices.length * model.dim);
    vectors.forEach((v, r) => matrix.set(v, r * model.dim));
    const result = buildLookalike({
      userVectors: matrix,
      dim: model.dim,
      userIndices: Uint32Array.from(userIndices),
      seed: seed.toUint32Array(),
      targetSize: payload.targetSize,
      exclude: (u) => excluded.has(u),
      rng: createRng(payload.seed ?? payload.requestedAtMs % 2 ** 31),
    });
    const withVectors = new Set(userIndices);
    const report: LookalikeReport = {
      seedRecall: Number.isNaN(result.seedRecall) ? null : result.seedRecall,
      holdoutSize: result.holdoutSize,
      seedSize: seed.size,
      seedWithVectors: seed.toArray().filter((u) => withVectors.has(u)).length,
      members: result.members.length,
      query: result.query,
      item2vecVersion: row.version,
      builtAt: new Date().toISOString(),
    };
    const bitmap = new RoaringBitmap32(result.members);
    await this.bus.change(async (manager) => {
      const locked = await this.packages.findByKey(payload.packageKey, manager, { forUpdate: true });
      if (!locked || locked.kind !== 'lookalike') return;
      const definition = { ...((locked.definition ?? {}) as Record<string, unknown>), report };
      await this.packages.updateDefinition(locked.id, { name: locked.name, definition }, manager);
      await this.packages.writeVersion(manager, locked.id, serializeBitmap(bitmap), bitmap.size);
    });
    this.logger.log(`lookalike ${payload.packageKey}: ${bitmap.size} members, seed recall ${report.seedRecall}`);
  }
}

/** Each listener's item set (a "sentence" for item2vec); listeners without plays give empty sentences, which are dropped. */
export function sentencesOf(users: Uint32Array, items: Uint32Array, userCount: number): Uint32Array[] {
  const counts = new Uint32Array(userCount);
  for (let k = 0; k < users.length; k++) counts[users[k]]++;
  const out = Array.from({ length: userCount }, (_, u) => new Uint32Array(counts[u]));
  const fill = new Uint32Array(userCount);
  for (let k = 0; k < users.length; k++) out[users[k]][fill[users[k]]++] = items[k];
  return out.filter((s) => s.length > 0);
}

function groupByUser(users: Uint32Array, items: Uint32Array, plays: Float32Array, userCount: number): { items: number[]; plays: number[] }[] {
  const out: { items: number[]; plays: number[] }[] = Array.from({ length: userCount }, () => ({ items: [], plays: [] }));
  for (let k = 0; k < users.length; k++) {
    out[users[k]].items.push(items[k]);
    out[users[k]].plays.push(plays[k]);
  }
  return out;
}
