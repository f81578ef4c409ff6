import { type DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AudiencesModule } from './modules/audiences';
import { AuditModule } from './modules/audit';
import { AuthModule } from './modules/auth';
import { CatalogModule } from './modules/catalog';
import { DeliveryModule } from './modules/delivery';
import { DemoModule } from './modules/demo';
import { HealthController } from './modules/health';
import { LabelsModule } from './modules/labels';
import { LearningModule } from './modules/learning';
import { ListeningModule } from './modules/listening';
import { ModelingModule } from './modules/modeling';
import { ModelsModule } from './modules/models';
import { ReportingModule } from './modules/reporting';
import { SnapshotModule } from './modules/snapshot';
import { TrackingModule } from './modules/tracking';
import { loggerParams } from './platform/http/request-logging';
import { MetricsController } from './platform/metrics/metrics.controller';
import type { Infrastructure } from './platform/infrastructure';
import { PlatformModule } from './platform/platform.module';

@Module({})
export class AppModule {
  /** `logDestination`: where pino writes; standard output unless given (tests capture it). */
  static forRoot(infra: Infrastructure, logDestination?: DestinationStream): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerParams(infra.config.logLevel, logDestination)),
        ThrottlerModule.forRoot([{ ttl: 60_000, limit: infra.config.managementRateLimitPerMinute }]),
        PlatformModule.forRoot(infra),
        AuthModule,
        AuditModule,
        CatalogModule,
        SnapshotModule,
        AudiencesModule,
        DeliveryModule,
        ReportingModule,
        LabelsModule,
        TrackingModule,
        ModelsModule,
        LearningModule,
        ListeningModule,
        DemoModule,
        ModelingModule,
      ],
      controllers: [HealthController, MetricsController],
    };
  }
}
