import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ManagementRateLimitGuard } from '../../platform/http/rate-limit.guard';
import { ApiKeyView, CreateApiKeyDto, CreatedApiKeyView } from './api-key.dto';
import { ApiKeyService } from './api-key.service';
import { Roles } from '../../platform/http/roles';

@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('v1/api-keys')
@Roles('admin')
@UseGuards(ManagementRateLimitGuard)
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key. The key itself is returned once and never again.' })
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  async create(@Body() body: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    const { key, entity } = await this.keys.create({ name: body.name, role: body.role, scope: body.scope ?? null });
    return { ...ApiKeyView.from(entity), key };
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (without secrets).' })
  @ApiOkResponse({ type: [ApiKeyView] })
  async list(): Promise<ApiKeyView[]> {
    return (await this.keys.list()).map(ApiKeyView.from);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key. Other nodes stop accepting it within 5 seconds.' })
  @ApiNoContentResponse()
  async revoke(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    if (!(await this.keys.findById(id))) throw new NotFoundException(`API key ${id} does not exist`);
    await this.keys.revoke(id, Date.now());
  }
}
