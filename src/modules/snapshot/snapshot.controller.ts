import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../platform/http/roles';
import { SnapshotService } from './snapshot.service';

@ApiTags('delivery')
@ApiBearerAuth()
@Controller('v1/snapshot')
export class SnapshotController {
  constructor(private readonly snapshots: SnapshotService) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: "This node's decision snapshot: configuration version, build time, sizes and anything left out." })
  describe() {
    const { snapshot, configVersion, builtAtMs, issues } = this.snapshots.current();
    return {
      version: configVersion,
      builtAt: new Date(builtAtMs).toISOString(),
      slots: snapshot.slotsById.size,
      campaigns: snapshot.campaignsById.size,
      policies: snapshot.policiesBySlotId.size,
      issues,
    };
  }
}
