// The public surface of the modeling module: other modules import only from here.
// Automatic modeling runs (GBDT → ONNX) and model import.
export { MODELING_JOBS } from './jobs';
export { ModelingModule } from './modeling.module';
