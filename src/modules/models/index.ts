// The public surface of the models module: other modules import only from here.
// The model registry and the serving of active versions.
export { ModelRegistryService } from './model-registry.service';
export { ModelServingService } from './model-serving.service';
export { versionView, type ModelVersion } from './model-version';
export { ModelsModule } from './models.module';
