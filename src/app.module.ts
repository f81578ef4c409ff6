import { randomUUID } from 'node:crypto';
import { type DynamicModule, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
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
import { MetricsController } from './platform/metrics/metrics.controller';
import type { Infrastructure } from './platform/infrastructure';
import { PlatformModule } from './platform/platform.module';

/** Secrets that must never reach a log line, wherever they appear. */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.key',
  '*.secret',
  '*.password',
  '*.token',
];

@Module({})
export class AppModule {
  static forRoot(infra: Infrastructure): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: infra.config.logLevel,
            redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
            genReqId: (req, res) => {
              const given = req.headers['x-request-id'];
              const id = typeof given === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(given) ? given : randomUUID();
              res.setHeader('x-request-id', id);
              return id;
            },
            // The decision path runs at thousands of requests a second: successes log at debug, problems at warn/error.
            customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug'),
            autoLogging: { ignore: (req) => req.url === '/metrics' || (req.url ?? '').startsWith('/health') },
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
            },
          },
        }),
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
