import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WindowFrom, WindowTo } from '../../platform/http/validation';
import { IsInt, IsNumber, IsObject, IsOptional, IsString, Max, Min } from 'class-validator';

export class BanditHistoryQueryDto {
  @ApiProperty({ description: 'Branch key "<slotId>:<branch name>" (as listed by GET /v1/bandits)' })
  @IsString()
  branch!: string;

  @WindowFrom('24 hours ago')
  from?: string;

  @WindowTo()
  to?: string;
}

export class IpsRequestDto {
  @WindowFrom('7 days before `to`', ' of the logged decisions')
  from?: string;

  @WindowTo()
  to?: string;

  @ApiPropertyOptional({ description: 'Only decisions of this slot (id or key)' })
  @IsOptional()
  @IsString()
  slot?: string;

  @ApiProperty({
    description:
      "The policy to evaluate over bandit arms: {kind:'uniform'} | {kind:'model', modelId} (all traffic to that arm) | {kind:'allocation', weights: {<modelId>: share}}",
    example: { kind: 'allocation', weights: { 'ftrl-main': 0.9, random: 0.1 } },
  })
  @IsObject()
  targetPolicy!: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Cap on importance weights (clipping trades bias for variance). Default: none.' })
  @IsOptional()
  @IsNumber()
  @Min(1)
  weightCap?: number;

  @ApiPropertyOptional({ description: 'At most this many logged decisions (newest first). Default 200000.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  limit?: number;
}
