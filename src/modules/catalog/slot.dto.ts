import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

import { eachOneOf, FrequencyCapDto, oneOf, PLATFORMS, SLOT_FORMATS } from './catalog.dto';

export class CreateSlotDto {
  @ApiProperty({ example: 'phone-home-banner', description: 'Stable key the app sends as slotId.' })
  @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/, { message: 'key must be 1-64 characters of a-z, 0-9, . _ - and start with a letter or digit' })
  key: string;

  @ApiProperty({ example: 'Phone home banner' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: SLOT_FORMATS, example: 'banner' })
  @IsIn(SLOT_FORMATS, oneOf('format', SLOT_FORMATS))
  format: (typeof SLOT_FORMATS)[number];

  @ApiProperty({ enum: PLATFORMS, isArray: true, example: ['ios', 'android'] })
  @IsArray()
  @ArrayMinSize(1, { message: 'platforms must list at least one platform' })
  @ArrayUnique()
  @IsIn(PLATFORMS, eachOneOf('platforms', PLATFORMS))
  platforms: (typeof PLATFORMS)[number][];

  @ApiProperty({ example: 1, minimum: 1, maximum: 20 })
  @IsInt()
  @Min(1)
  @Max(20)
  maxAdsPerResponse: number;

  @ApiPropertyOptional({ type: FrequencyCapDto, nullable: true, example: { impressions: 4, window: 'hour' }, description: 'Per listener, across all ads of the slot.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => FrequencyCapDto)
  adLoadCap?: FrequencyCapDto | null;
}

export class UpdateSlotDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;
  @ApiPropertyOptional({ enum: SLOT_FORMATS }) @IsOptional() @IsIn(SLOT_FORMATS, oneOf('format', SLOT_FORMATS)) format?: (typeof SLOT_FORMATS)[number];
  @ApiPropertyOptional({ enum: PLATFORMS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'platforms must list at least one platform' })
  @ArrayUnique()
  @IsIn(PLATFORMS, eachOneOf('platforms', PLATFORMS))
  platforms?: (typeof PLATFORMS)[number][];
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(20) maxAdsPerResponse?: number;
  @ApiPropertyOptional({ type: FrequencyCapDto, nullable: true }) @IsOptional() @ValidateNested() @Type(() => FrequencyCapDto) adLoadCap?: FrequencyCapDto | null;
}
