import { Injectable, type OnModuleInit } from '@nestjs/common';
import { decodeWeights } from '../../engine/ftrl/ftrl-proximal';
import { FtrlScorer } from '../../engine/ftrl/ftrl-scorer';
import { ModelServingService } from '../models';
import { FtrlCandidateModel } from './ftrl-candidate-model';

/** Teaches ModelServingService to serve kind 'ftrl' (weights artifact → FtrlScorer). */
@Injectable()
export class FtrlLoader implements OnModuleInit {
  constructor(private readonly serving: ModelServingService) {}

  onModuleInit(): void {
    this.serving.registerLoader('ftrl', async (version) => {
      if (!version.artifact) throw new Error('no weights artifact');
      const bytes = version.artifact;
      const decoded = decodeWeights(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (decoded.kind !== 'ok') throw new Error(decoded.reason);
      const scorer = FtrlScorer.fromWeights(decoded.value);
      if (scorer.kind !== 'ok') throw new Error(scorer.reason);
      return new FtrlCandidateModel(version.modelId, String(version.version), scorer.value);
    });
  }
}
