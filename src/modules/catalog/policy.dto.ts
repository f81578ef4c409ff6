import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

import { METHODS, oneOf } from './catalog.dto';

export class BanditArmDto {
  @ApiProperty({ example: 'ftrl-main', description: "A model id from the registry, or 'random' for uniform exploration." })
  @IsString()
  @Length(1, 100)
  modelId: string;

  @ApiPropertyOptional({ example: 0.05, default: 0.05, minimum: 0, maximum: 1 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  floor?: number;
}

export class BranchDto {
  @ApiProperty({ example: 'vip targeted' }) @IsString() @Length(1, 100) name: string;

  @ApiProperty({
    description: "'everyone', or an expression over user packages: {package}, {and:[…]}, {or:[…]}, {not:…}",
    example: { and: [{ package: 'vip-2024' }, { not: { package: 'paid-users' } }] },
    oneOf: [{ type: 'string', enum: ['everyone'] }, { type: 'object' }],
  })
  @IsDefined({ message: "audience is required: 'everyone' or a package expression" })
  audience: unknown;

  @ApiProperty({ example: ['6f1c…'], description: 'Candidate campaign ids.' })
  @IsArray()
  @ArrayMinSize(1, { message: 'campaignIds must list at least one campaign' })
  @ArrayUnique()
  @IsString({ each: true })
  campaignIds: string[];

  @ApiProperty({ enum: METHODS, example: 'model' }) @IsIn(METHODS, oneOf('method', METHODS)) method: (typeof METHODS)[number];

  @ApiPropertyOptional({ example: 'ftrl-main', description: 'For method model: the model that ranks the candidates.' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  modelId?: string;

  @ApiPropertyOptional({ type: [BanditArmDto], description: 'For method bandit: the competing models and their floors.' })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => BanditArmDto)
  arms?: BanditArmDto[];
}

export class PutPolicyDto {
  @ApiProperty({ type: [BranchDto], description: 'Ordered: the first branch whose audience matches and that has an eligible candidate wins.' })
  @IsArray()
  @ArrayMinSize(1, { message: 'branches must list at least one branch' })
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => BranchDto)
  branches: BranchDto[];
}
