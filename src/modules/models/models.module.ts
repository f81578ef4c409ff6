import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery';
import { ModelRegistryRepository } from './model-registry.repository';
import { ModelRegistryService } from './model-registry.service';
import { ModelServingService } from './model-serving.service';
import { ModelsController } from './models.controller';

/** The model registry and the serving side that loads active versions into every API node's ScorerRegistry. */
@Module({
  imports: [DeliveryModule],
  controllers: [ModelsController],
  providers: [ModelRegistryRepository, ModelRegistryService, ModelServingService],
  exports: [ModelRegistryService, ModelServingService],
})
export class ModelsModule {}
