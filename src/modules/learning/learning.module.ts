import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { FeedbackModule } from '../feedback/feedback.module';
import { ModelsModule } from '../models/models.module';
import { BanditSyncService } from './bandit-sync.service';
import { BanditService } from './bandit.service';
import { FtrlLoader } from './ftrl-loader.service';
import { FtrlTrainerService } from './ftrl-trainer.service';
import { IpsEvaluationService } from './ips-evaluation.service';
import { LearningController } from './learning.controller';
import { LearningSettings } from './learning-settings';

/**
 * Online learning: the FTRL trainer (workers) and its serving loader (API nodes), the bandit
 * allocator (workers) and its sync into BanditAllocations (API nodes), and off-policy evaluation.
 */
@Module({
  imports: [CampaignsModule, DeliveryModule, FeedbackModule, ModelsModule],
  controllers: [LearningController],
  providers: [LearningSettings, FtrlLoader, FtrlTrainerService, BanditService, BanditSyncService, IpsEvaluationService],
  exports: [LearningSettings, FtrlTrainerService, BanditService, BanditSyncService],
})
export class LearningModule {}
