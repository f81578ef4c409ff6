import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { ManagementRateLimitGuard } from '../../platform/http/rate-limit.guard';
import { Roles } from '../../platform/http/roles';
import { AuditService } from './audit.service';

const ENTITY_TYPES = ['slot', 'campaign', 'creative', 'policy', 'package', 'model', 'api-key'];

export class AuditQueryDto {
  @ApiPropertyOptional({ enum: ENTITY_TYPES, example: 'campaign' })
  @IsOptional()
  @IsIn(ENTITY_TYPES, { message: `entity must be one of ${ENTITY_TYPES.join(', ')}` })
  entity?: string;

  @ApiPropertyOptional({ description: 'Id (or key) of one entity', example: '6f1c…' })
  @IsOptional()
  @IsString()
  id?: string;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'Cursor: entries with a smaller id (older)' })
  @IsOptional()
  @Matches(/^\d+$/, { message: 'before must be a numeric audit id' })
  before?: string;
}

export class AuditEntryView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ENTITY_TYPES }) entity: string;
  @ApiProperty() entityId: string;
  @ApiProperty({ example: 'update' }) action: string;
  @ApiProperty({ nullable: true, type: String }) actorKeyId: string | null;
  @ApiProperty({ nullable: true, type: String }) actorName: string | null;
  @ApiProperty() at: string;
  @ApiProperty({ nullable: true }) before: unknown;
  @ApiProperty({ nullable: true }) after: unknown;
  @ApiProperty({ example: [{ path: 'priority', before: 50, after: 80 }] }) diff: unknown;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit')
@Roles('viewer')
@UseGuards(ManagementRateLimitGuard)
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'Audit log of configuration changes: who (API key), when, and a before/after diff. Newest first.' })
  @ApiOkResponse({ type: [AuditEntryView] })
  async list(@Query() query: AuditQueryDto): Promise<AuditEntryView[]> {
    const rows = await this.audit.list({ entityType: query.entity, entityId: query.id, limit: query.limit ?? 100, beforeId: query.before });
    return rows.map((r) => ({
      id: String(r.id),
      entity: r.entityType,
      entityId: r.entityId,
      action: r.action,
      actorKeyId: r.actorKeyId,
      actorName: r.actorName,
      at: r.at.toISOString(),
      before: r.before,
      after: r.after,
      diff: r.diff,
    }));
  }
}
