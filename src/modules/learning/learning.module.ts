import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery';
import { LabelsModule } from '../labels';
import { ModelsModule } from '../models';
import { SnapshotModule } from '../snapshot';
import { TrackingModule } from '../tracking';
import { BanditOverviewService } from './bandit-overview.service';
import { BanditRepository } from './bandit.repository';
import { BanditSyncService } from './bandit-sync.service';
import { BanditService } from './bandit.service';
import { FtrlLoader } from './ftrl-loader.service';
import { FtrlTrainerService } from './ftrl-trainer.service';
import { IpsEvaluationService } from './ips-evaluation.service';
import { IpsRepository } from './ips.repository';
import { LearningController } from './learning.controller';
import { LearningSettings } from './learning-settings';

/**
 * Online learning: the FTRL trainer (workers) and its serving loader (API nodes), the bandit
 * allocator (workers) and its sync into BanditAllocations (API nodes), and off-policy evaluation.
 */
@Module({
  imports: [SnapshotModule, DeliveryModule, LabelsModule, ModelsModule, TrackingModule],
  controllers: [LearningController],
  providers: [LearningSettings, BanditRepository, IpsRepository, FtrlLoader, FtrlTrainerService, BanditService, BanditSyncService, BanditOverviewService, IpsEvaluationService],
  exports: [LearningSettings, FtrlTrainerService, BanditService, BanditSyncService],
})
export class LearningModule {}
