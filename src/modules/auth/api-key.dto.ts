import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import type { ApiKeyEntity } from './api-key.entity';
import { API_KEY_ROLES, type ApiKeyRole } from '../../platform/http/roles';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'ios app (prod)', description: 'A label for people; not secret.' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ enum: API_KEY_ROLES, example: 'slot-client' })
  @IsIn(API_KEY_ROLES as unknown as string[], { message: `role must be one of ${API_KEY_ROLES.join(', ')}` })
  role: ApiKeyRole;

  @ApiPropertyOptional({ example: 'ios', description: 'For slot-client keys: the app or platform the key is issued to.' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9._-]{1,50}$/, { message: 'scope must be 1-50 characters of a-z, 0-9, . _ -' })
  scope?: string;
}

export class ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: API_KEY_ROLES }) role: ApiKeyRole;
  @ApiProperty({ nullable: true, type: String }) scope: string | null;
  @ApiProperty({ example: 'mb_3hF9aQ', description: 'First characters of the key, to tell keys apart.' }) keyPrefix: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) revokedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) lastUsedAt: string | null;

  static from(entity: ApiKeyEntity): ApiKeyView {
    return {
      id: entity.id,
      name: entity.name,
      role: entity.role,
      scope: entity.scope,
      keyPrefix: entity.keyPrefix,
      createdAt: entity.createdAt.toISOString(),
      revokedAt: entity.revokedAt?.toISOString() ?? null,
      lastUsedAt: entity.lastUsedAt?.toISOString() ?? null,
    };
  }
}

export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({ description: 'The secret key. It is shown only in this response; only its hash is stored.', example: 'mb_q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6' })
  key: string;
}
