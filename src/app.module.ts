import { type DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AudiencesModule } from './modules/audiences/audiences.module';
import { AuthModule } from './modules/auth/auth.module';
import { CampaignsModule } from './modules/campaigns/campaigns.module';
import { DeliveryModule } from './modules/delivery/delivery.module';
import { DemoModule } from './modules/demo/demo.module';
import { FeedbackModule } from './modules/feedback/feedback.module';
import { LearningModule } from './modules/learning/learning.module';
import { ListeningModule } from './modules/listening/listening.module';
import { ModelsModule } from './modules/models/models.module';
import { ModelingModule } from './modules/modeling/modeling.module';
import { HealthController } from './modules/health/health.controller';
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
        CampaignsModule,
        AudiencesModule,
        DeliveryModule,
        FeedbackModule,
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
