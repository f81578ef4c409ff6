import { Module } from '@nestjs/common';
import { AudiencesModule } from '../audiences/audiences.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { FeedbackModule } from '../feedback/feedback.module';
import { BuiltinScorers } from './builtin-scorers';
import { DecisionController } from './decision.controller';
import { DecisionLog } from './decision-log';
import { DecisionService } from './decision.service';
import { BanditAllocations, ScorerRegistry } from './scorer-registry';

@Module({
  imports: [CampaignsModule, AudiencesModule, FeedbackModule],
  controllers: [DecisionController],
  providers: [DecisionService, DecisionLog, ScorerRegistry, BanditAllocations, BuiltinScorers],
  exports: [DecisionService, ScorerRegistry, BanditAllocations, DecisionLog],
})
export class DeliveryModule {}
