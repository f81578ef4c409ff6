import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf } from 'class-validator';

const MODEL_ID = /^[A-Za-z0-9._-]{1,100}$/;
const PACKAGE_KEY = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export class TrainDto {
  @ApiProperty({ enum: ['cf', 'item2vec'], description: "'cf': IUF and Jaccard top-k item neighbours; 'item2vec': skip-gram item vectors." })
  @IsIn(['cf', 'item2vec'], { message: 'kind must be one of cf, item2vec' })
  kind: 'cf' | 'item2vec';

  @ApiPropertyOptional({ example: 50, description: 'cf: neighbours kept per item.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  topK?: number;

  @ApiPropertyOptional({ example: 32, description: 'item2vec: vector dimension.' })
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(512)
  dim?: number;

  @ApiPropertyOptional({ example: 15, description: 'item2vec: passes over the listeners.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  epochs?: number;

  @ApiPropertyOptional({ example: 5, description: 'item2vec: items seen fewer times get no vector.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  minCount?: number;

  @ApiPropertyOptional({ description: 'item2vec: random seed (default: derived from the request time).' })
  @IsOptional()
  @IsInt()
  @Min(0)
  seed?: number;
}

export class ColdStartDto {
  @ApiProperty({ example: 'cf', description: 'Model id a delivery branch names to get the cold-start scorer.' })
  @IsString()
  @Matches(MODEL_ID, { message: 'modelId must be 1-100 letters, digits, dot, dash or underscore' })
  modelId: string;

  @ApiProperty({ nullable: true, example: 'ftrl-main', description: 'Model that scores warm listeners (null: the CF scorer scores everyone).' })
  @ValidateIf((o: ColdStartDto) => o.warmModelId !== null)
  @IsString()
  @Matches(MODEL_ID, { message: 'warmModelId must be null or a model id' })
  warmModelId: string | null;

  @ApiProperty({ example: 3, description: 'Listeners with fewer profile tags (genres + artists + languages) are cold.' })
  @IsInt()
  @Min(0)
  minListenerTags: number;

  @ApiProperty({ example: 1000, description: 'Campaigns with fewer impressions of feedback are cold.' })
  @IsInt()
  @Min(0)
  minCampaignImpressions: number;
}

export class LookalikeDto {
  @ApiProperty({ example: 'album-buyers-lookalike', description: 'Key of the lookalike package (created, or rebuilt as a new version).' })
  @IsString()
  @Matches(PACKAGE_KEY, { message: 'key must be lowercase letters, digits, dot, dash or underscore (1-100)' })
  key: string;

  @ApiPropertyOptional({ example: 'Listeners like the album buyers' })
  @IsOptional()
  @IsString()
  name?: string;

  @ApiProperty({ example: 'album-buyers', description: 'The seed package.' })
  @IsString()
  seedPackage: string;

  @ApiProperty({ example: 1000000, description: 'Listeners wanted (seed members are never included).' })
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  targetSize: number;

  @ApiPropertyOptional({ example: 'paid-users', description: 'Listeners of this package are left out.' })
  @IsOptional()
  @IsString()
  excludePackage?: string;

  @ApiPropertyOptional({ description: 'Random seed of the report\'s seed holdout, to reproduce a report (default: derived from the request time).' })
  @IsOptional()
  @IsInt()
  @Min(0)
  seed?: number;
}
