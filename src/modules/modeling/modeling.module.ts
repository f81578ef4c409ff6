import { Module, type OnModuleInit } from '@nestjs/common';
import { CatalogModule } from '../catalog';
import { DeliveryModule } from '../delivery';
import { LabelsModule } from '../labels';
import { ModelServingService, ModelsModule } from '../models';
import { SnapshotModule } from '../snapshot';
import { loadGbdtLrCandidateModel, loadOnnxCandidateModel } from './gbdt-model-loader';
import { ModelImportService } from './model-import.service';
import { ModelingPipeline } from './modeling-pipeline';
import { ModelingRunsRepository } from './modeling-runs.repository';
import { ModelingSettings } from './modeling-settings';
import { ModelingController } from './modeling.controller';
import { ModelingService } from './modeling.service';

/**
 * Automatic modeling: exploration-triggered, on-demand and scheduled runs of the GBDT pipeline as a
 * flow on the 'modeling' queue; model import; the variable exploration report; serving of
 * 'gbdt' and 'onnx' models through ONNX Runtime, 'gbdt-lr' in-process.
 */
@Module({
  imports: [CatalogModule, SnapshotModule, DeliveryModule, LabelsModule, ModelsModule],
  controllers: [ModelingController],
  providers: [ModelingSettings, ModelingRunsRepository, ModelingPipeline, ModelingService, ModelImportService],
  exports: [ModelingService, ModelingSettings],
})
export class ModelingModule implements OnModuleInit {
  constructor(private readonly serving: ModelServingService) {}

  onModuleInit(): void {
    this.serving.registerLoader('gbdt', loadOnnxCandidateModel);
    this.serving.registerLoader('onnx', loadOnnxCandidateModel);
    this.serving.registerLoader('gbdt-lr', loadGbdtLrCandidateModel);
  }
}
