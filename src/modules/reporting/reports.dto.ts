import { ApiPropertyOptional } from '@nestjs/swagger';
import { WindowFrom, WindowTo } from '../../platform/http/validation';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';

export class ReportWindowQueryDto {
  @WindowFrom('24 hours before `to`')
  from?: string;

  @WindowTo()
  to?: string;
}

export class DeliveryReportQueryDto extends ReportWindowQueryDto {
  @ApiPropertyOptional({ description: 'Comma-separated: campaign, creative, slot, branch, arm, platform, hour, day, minute. Empty = totals only.', example: 'campaign,hour' })
  @IsOptional()
  @IsString()
  groupBy?: string;

  @ApiPropertyOptional({ description: 'Comma-separated: requests, eligible, served, impressions, clicks, ctr, conversions, cvr, skips. Default: all.', example: 'impressions,clicks,ctr' })
  @IsOptional()
  @IsString()
  metrics?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv = the rows as a CSV download' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class LiveQueryDto {
  @ApiPropertyOptional({ enum: ['campaign', 'branch'], default: 'campaign' })
  @IsOptional()
  @IsIn(['campaign', 'branch'])
  by?: 'campaign' | 'branch';

  @ApiPropertyOptional({ description: 'How many minutes back, 1–1440. Default 180.', default: '180' })
  @IsOptional()
  @Matches(/^\d{1,4}$/)
  minutes?: string;
}

export class DeadLetterQueryDto {
  @ApiPropertyOptional({ description: '1–1000, default 100' })
  @IsOptional()
  @Matches(/^\d{1,4}$/)
  limit?: string;
}
