import { Module } from '@nestjs/common';
import { AudiencesModule } from '../audiences';
import { ReportingModule } from '../reporting';
import { SnapshotModule } from '../snapshot';
import { BuiltinScorers } from './builtin-scorers';
import { DecisionController } from './decision.controller';
import { DecisionLog } from './decision-log';
import { DecisionLogRepository } from './decision-log.repository';
import { DecisionPartitions } from './decision-partitions.service';
import { DecisionService } from './decision.service';
import { BanditAllocations, ScorerRegistry } from './scorer-registry';

@Module({
  imports: [SnapshotModule, AudiencesModule, ReportingModule],
  controllers: [DecisionController],
  providers: [DecisionService, DecisionLogRepository, DecisionLog, DecisionPartitions, ScorerRegistry, BanditAllocations, BuiltinScorers],
  exports: [DecisionService, ScorerRegistry, BanditAllocations, DecisionLog],
})
export class DeliveryModule {}
