import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  Length,
  Max,
} from 'class-validator';

import { CREATIVE_TYPES, eachOneOf, oneOf, SLOT_FORMATS } from './catalog.dto';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class CreateCreativeDto {
  @ApiProperty({ enum: CREATIVE_TYPES, example: 'image' }) @IsIn(CREATIVE_TYPES, oneOf('type', CREATIVE_TYPES)) type: (typeof CREATIVE_TYPES)[number];

  @ApiProperty({ enum: SLOT_FORMATS, isArray: true, example: ['banner', 'feed'], description: 'Slot formats this creative fits.' })
  @IsArray()
  @ArrayMinSize(1, { message: 'formats must list at least one slot format' })
  @ArrayUnique()
  @IsIn(SLOT_FORMATS, eachOneOf('formats', SLOT_FORMATS))
  formats: (typeof SLOT_FORMATS)[number][];

  @ApiProperty({ example: 'Pre-order the new album' }) @IsString() @Length(1, 200) title: string;

  @ApiPropertyOptional({ example: 'https://cdn.example.com/ads/album-a.jpg', nullable: true })
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'assetUrl must be an http or https URL' })
  assetUrl?: string | null;

  @ApiProperty({ example: 'https://music.example.com/album/123' })
  @IsUrl(URL_OPTIONS, { message: 'landingUrl must be an http or https URL' })
  landingUrl: string;

  @ApiPropertyOptional({ example: 1, default: 1, description: 'Rotation weight among the campaign’s creatives.' })
  @IsOptional()
  @IsNumber()
  @IsPositive({ message: 'weight must be positive' })
  @Max(1_000_000)
  weight?: number;
}

export class UpdateCreativeDto {
  @ApiPropertyOptional({ enum: CREATIVE_TYPES }) @IsOptional() @IsIn(CREATIVE_TYPES, oneOf('type', CREATIVE_TYPES)) type?: (typeof CREATIVE_TYPES)[number];
  @ApiPropertyOptional({ enum: SLOT_FORMATS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1, { message: 'formats must list at least one slot format' })
  @IsIn(SLOT_FORMATS, eachOneOf('formats', SLOT_FORMATS))
  formats?: (typeof SLOT_FORMATS)[number][];
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) title?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsUrl(URL_OPTIONS, { message: 'assetUrl must be an http or https URL' }) assetUrl?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsUrl(URL_OPTIONS, { message: 'landingUrl must be an http or https URL' }) landingUrl?: string;
  @ApiPropertyOptional() @IsOptional() @IsNumber() @IsPositive({ message: 'weight must be positive' }) @Max(1_000_000) weight?: number;
}
