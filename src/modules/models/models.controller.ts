import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../platform/http/roles';
import { ModelRegistryService } from './model-registry.service';
import { ModelServingService } from './model-serving.service';
import { versionView } from './model-version';
import { PromoteModelDto } from './models.dto';

@ApiTags('models')
@ApiBearerAuth()
@Controller('v1/models')
export class ModelsController {
  constructor(
    private readonly registry: ModelRegistryService,
    private readonly serving: ModelServingService,
  ) {}

  @Get()
  @Roles('viewer')
  @ApiOperation({ summary: 'Every model in the registry: its active version (else its newest), kind, status and metrics' })
  async list() {
    const served = this.serving.servedVersions();
    return { models: (await this.registry.list()).map((v) => ({ ...versionView(v), servedVersionOnThisNode: served[v.modelId] ?? null })) };
  }

  @Get(':id')
  @Roles('viewer')
  @ApiOperation({ summary: 'One model: its versions, newest first, with metrics (for FTRL: live progressive logloss/AUC) and lineage' })
  async get(@Param('id') id: string) {
    const versions = await this.registry.versions(id);
    if (versions.length === 0) throw new NotFoundException(`model ${id} does not exist`);
    const active = versions.find((v) => v.status === 'active') ?? null;
    return {
      modelId: id,
      kind: versions[0].kind,
      activeVersion: active?.version ?? null,
      servedVersionOnThisNode: this.serving.servedVersions()[id] ?? null,
      metrics: active?.metrics ?? null,
      versions: versions.map(versionView),
    };
  }

  @Post(':id/promote')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Makes a version active (the previous active version is retired); every API node reloads' })
  async promote(@Param('id') id: string, @Body() body: PromoteModelDto) {
    await this.registry.promote(id, body.version);
    return versionView((await this.registry.version(id, body.version))!);
  }

  @Post(':id/rollback')
  @Roles('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-activates the version that was active before the current one; every API node reloads' })
  async rollback(@Param('id') id: string) {
    return versionView(await this.registry.rollback(id));
  }
}
