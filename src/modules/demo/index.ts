// The public surface of the demo module: other modules import only from here.
// The demo data set.
export { DEMO_PROFILE_COUNT } from './demo-data';
export { DemoSeedService, demoBanner } from './demo-seed.service';
export { DemoModule } from './demo.module';
